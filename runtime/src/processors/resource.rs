//! The `resource` processor: runs the processor resource with that label
//! (one instance, shared by every reference).

use crate::component::registry::{Built, Kind};
use crate::component::{Build, BuildError, Processor, Registry};
use crate::resources::{ResourceLabel, reference};
use std::sync::Arc;

/// Registers the reference type.
pub fn register(r: &mut Registry) {
    r.processor::<ResourceLabel>(
        "resource",
        "Runs the processor resource with this label.",
        build,
    );
}

fn build(label: ResourceLabel, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    match reference(Kind::Processor, &label, ctx)? {
        Built::Processor(p) => Ok(p),
        _ => Err(ctx.error(format!("`{label}` is not a processor resource"))),
    }
}
