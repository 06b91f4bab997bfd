//! Concord: a policy-as-code language for AI governance.

pub mod check;
pub mod compile;
pub mod db;
pub mod describe;
pub mod diagnostics;
pub mod ir;
pub mod num;
pub mod schema;
pub mod syntax;
pub mod value;
