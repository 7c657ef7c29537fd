//! Rate limit types, one module each. The list below is the
//! registration.

/// Declares the rate limit modules and registers each one's types.
macro_rules! rate_limits {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Registers every rate limit type.
        pub fn register_all(r: &mut crate::component::Registry) {
            $($module::register(r);)*
        }
    };
}

rate_limits! {
    local,
}
