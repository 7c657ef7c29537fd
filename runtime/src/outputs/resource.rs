//! The `resource` output: writes to the output resource with that label
//! (one instance, shared by every reference).

use crate::component::registry::{Built, Kind};
use crate::component::{Build, BuildError, Output, Registry};
use crate::resources::{ResourceLabel, reference};
use std::sync::Arc;

/// Registers the reference type.
pub fn register(r: &mut Registry) {
    r.output::<ResourceLabel>(
        "resource",
        "Writes to the output resource with this label.",
        build,
    );
}

fn build(label: ResourceLabel, ctx: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    match reference(Kind::Output, &label, ctx)? {
        Built::Output(o) => Ok(o),
        _ => Err(ctx.error(format!("`{label}` is not an output resource"))),
    }
}
