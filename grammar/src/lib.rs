//! Bloblang syntax: the logos lexer, the LALRPOP grammar, the syntax tree
//! with byte spans, a line index, and syntax errors with recovery.
//!
//! The main entry point is [`parse`], which never fails: it returns the
//! statements that parsed together with every error it found, so editors
//! can show all problems of a file at once.

pub mod ast;
mod build_ast;
pub mod error;
mod expected;
pub mod lexer;
mod parse;
pub mod sexpr;
pub mod span;
pub mod strings;
pub mod token;

pub use error::{Severity, SyntaxError, render_snippet};
pub use expected::join_or;
pub use parse::{InterpPart, Parsed, find_query_end, parse, parse_interpolation, parse_query};
pub use span::{LineCol, LineIndex, Span};

#[cfg(test)]
mod parse_tests;
