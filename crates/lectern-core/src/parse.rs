//! Parsers from outside formats into [`crate::article::Article`].

pub mod encoding;
pub mod plain;
