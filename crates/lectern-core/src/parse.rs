//! Parsers from outside formats into [`crate::article::Article`].

pub mod plain;
