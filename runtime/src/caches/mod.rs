//! Cache types, one module each. The list below is the registration.

/// Declares the cache modules and registers each one's types.
macro_rules! caches {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Registers every cache type.
        pub fn register_all(r: &mut crate::component::Registry) {
            $($module::register(r);)*
        }
    };
}

caches! {
    memory,
}
