//! Parsers from outside formats into [`crate::article::Article`].

mod builder;
pub mod encoding;
pub mod html;
pub mod markdown;
pub mod plain;
