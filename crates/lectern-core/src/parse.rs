//! Parsers from outside formats into [`crate::article::Article`].

#[cfg(feature = "import")]
mod builder;
#[cfg(feature = "import")]
pub mod encoding;
#[cfg(feature = "import")]
pub mod html;
#[cfg(feature = "import")]
pub mod markdown;
pub mod plain;
