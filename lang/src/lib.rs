//! Concord: a policy-as-code language for AI governance.

pub mod describe;
pub mod diagnostics;
pub mod num;
pub mod schema;
pub mod syntax;
pub mod value;
