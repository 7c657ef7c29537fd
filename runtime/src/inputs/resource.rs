//! The `resource` input: reads from the input resource with that label
//! (shared by every reference).

use crate::component::registry::{Built, Kind};
use crate::component::{Build, BuildError, Input, Registry};
use crate::resources::{ResourceLabel, reference};

/// Registers the reference type.
pub fn register(r: &mut Registry) {
    r.input::<ResourceLabel>(
        "resource",
        "Reads from the input resource with this label.",
        build,
    );
}

fn build(label: ResourceLabel, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    match reference(Kind::Input, &label, ctx)? {
        Built::Input(i) => Ok(i),
        _ => Err(ctx.error(format!("`{label}` is not an input resource"))),
    }
}
