//! The one registry of component types. Each type is registered with its
//! name, kind, documentation, its typed config (whose schema lint, `tarn
//! list` and the language server read) and its build function. The
//! registry is built by an explicit list (each folder's `register_all`),
//! not by side effects.

use super::build::{Build, BuildError};
use super::{Cache, Input, Output, Processor, RateLimit};
use crate::config::node::Node;
use crate::config::shape::Shape;
use schemars::{JsonSchema, SchemaGenerator};
use serde::de::DeserializeOwned;
use std::sync::{Arc, LazyLock, OnceLock};

/// The kinds of component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Where messages come from.
    Input,
    /// What changes them.
    Processor,
    /// Where they go.
    Output,
    /// Key–value stores shared by label.
    Cache,
    /// Limits shared by label.
    RateLimit,
}

impl Kind {
    /// Every kind, in listing order.
    pub const ALL: [Kind; 5] = [
        Kind::Input,
        Kind::Processor,
        Kind::Output,
        Kind::Cache,
        Kind::RateLimit,
    ];

    /// The singular name (`rate_limit`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Processor => "processor",
            Kind::Output => "output",
            Kind::Cache => "cache",
            Kind::RateLimit => "rate_limit",
        }
    }

    /// The plural, as `tarn list` takes it (`rate_limits`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Input => "inputs",
            Kind::Processor => "processors",
            Kind::Output => "outputs",
            Kind::Cache => "caches",
            Kind::RateLimit => "rate_limits",
        }
    }

    /// The kind a name (singular or plural) names.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name || k.plural() == name)
    }

    /// The root config section that declares resources of this kind.
    pub fn resource_section(self) -> &'static str {
        match self {
            Kind::Input => "input_resources",
            Kind::Processor => "processor_resources",
            Kind::Output => "output_resources",
            Kind::Cache => "cache_resources",
            Kind::RateLimit => "rate_limit_resources",
        }
    }
}

/// How settled a component type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Behaves as documented; changes only with a major version.
    Stable,
    /// Works; details may still change.
    Beta,
    /// New; may change or go.
    Experimental,
}

impl Status {
    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Stable => "stable",
            Status::Beta => "beta",
            Status::Experimental => "experimental",
        }
    }
}

/// A built component of any kind.
#[derive(Debug)]
pub enum Built {
    /// An input.
    Input(Box<dyn Input>),
    /// A processor.
    Processor(Arc<dyn Processor>),
    /// An output.
    Output(Arc<dyn Output>),
    /// A cache.
    Cache(Arc<dyn Cache>),
    /// A rate limit.
    RateLimit(Arc<dyn RateLimit>),
}

type BuildFn = Box<dyn Fn(&Node, &mut Build<'_>) -> Result<Built, BuildError> + Send + Sync>;

/// One registered component type.
pub struct Entry {
    /// The type name, the key in configs.
    pub name: &'static str,
    /// Its kind.
    pub kind: Kind,
    /// One paragraph of documentation.
    pub doc: &'static str,
    /// How settled it is.
    pub status: Status,
    schema: fn() -> schemars::Schema,
    shape: OnceLock<Shape>,
    build: BuildFn,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Entry({} {})", self.kind.name(), self.name)
    }
}

impl Entry {
    /// The shape of the component's config body, derived from its typed
    /// config.
    pub fn shape(&self) -> &Shape {
        self.shape
            .get_or_init(|| Shape::from_root_schema((self.schema)().as_value()))
    }

    /// Builds the component from its config body `node`.
    pub fn build(&self, node: &Node, ctx: &mut Build<'_>) -> Result<Built, BuildError> {
        (self.build)(node, ctx)
    }
}

/// The schema of `C` with its definitions.
fn root_schema<C: JsonSchema>() -> schemars::Schema {
    SchemaGenerator::default().into_root_schema_for::<C>()
}

/// A config type a component can be built from.
pub trait Config: DeserializeOwned + JsonSchema + 'static {}
impl<T: DeserializeOwned + JsonSchema + 'static> Config for T {}

/// Every component type.
#[derive(Debug, Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

static STANDARD: LazyLock<Registry> = LazyLock::new(|| {
    let mut r = Registry::default();
    crate::inputs::register_all(&mut r);
    crate::processors::register_all(&mut r);
    crate::outputs::register_all(&mut r);
    crate::caches::register_all(&mut r);
    crate::rate_limits::register_all(&mut r);
    r
});

/// What a build function is handed: the typed config and the context.
type Make<C, T> = fn(C, &mut Build<'_>) -> Result<T, BuildError>;

impl Registry {
    /// The registry of every component type Tarn has.
    pub fn standard() -> &'static Registry {
        &STANDARD
    }

    fn add<C: Config>(
        &mut self,
        kind: Kind,
        name: &'static str,
        doc: &'static str,
        wrap: impl Fn(C, &mut Build<'_>) -> Result<Built, BuildError> + Send + Sync + 'static,
    ) -> &mut Entry {
        debug_assert!(
            self.find(kind, name).is_none(),
            "{} `{name}` registered twice",
            kind.name()
        );
        self.entries.push(Entry {
            name,
            kind,
            doc,
            status: Status::Stable,
            schema: root_schema::<C>,
            shape: OnceLock::new(),
            build: Box::new(move |node, ctx| {
                let cfg: C = ctx.parse(node)?;
                wrap(cfg, ctx)
            }),
        });
        let last = self.entries.len() - 1;
        &mut self.entries[last]
    }

    /// Registers an input type.
    pub fn input<C: Config>(
        &mut self,
        name: &'static str,
        doc: &'static str,
        make: Make<C, Box<dyn Input>>,
    ) -> &mut Entry {
        self.add(Kind::Input, name, doc, move |c, ctx| {
            make(c, ctx).map(Built::Input)
        })
    }

    /// Registers a processor type.
    pub fn processor<C: Config>(
        &mut self,
        name: &'static str,
        doc: &'static str,
        make: Make<C, Arc<dyn Processor>>,
    ) -> &mut Entry {
        self.add(Kind::Processor, name, doc, move |c, ctx| {
            make(c, ctx).map(Built::Processor)
        })
    }

    /// Registers an output type.
    pub fn output<C: Config>(
        &mut self,
        name: &'static str,
        doc: &'static str,
        make: Make<C, Arc<dyn Output>>,
    ) -> &mut Entry {
        self.add(Kind::Output, name, doc, move |c, ctx| {
            make(c, ctx).map(Built::Output)
        })
    }

    /// Registers a cache type.
    pub fn cache<C: Config>(
        &mut self,
        name: &'static str,
        doc: &'static str,
        make: Make<C, Arc<dyn Cache>>,
    ) -> &mut Entry {
        self.add(Kind::Cache, name, doc, move |c, ctx| {
            make(c, ctx).map(Built::Cache)
        })
    }

    /// Registers a rate limit type.
    pub fn rate_limit<C: Config>(
        &mut self,
        name: &'static str,
        doc: &'static str,
        make: Make<C, Arc<dyn RateLimit>>,
    ) -> &mut Entry {
        self.add(Kind::RateLimit, name, doc, move |c, ctx| {
            make(c, ctx).map(Built::RateLimit)
        })
    }

    /// The type `name` of `kind`.
    pub fn find(&self, kind: Kind, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.kind == kind && e.name == name)
    }

    /// Every type of `kind`, sorted by name.
    pub fn of_kind(&self, kind: Kind) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = self.entries.iter().filter(|e| e.kind == kind).collect();
        out.sort_by_key(|e| e.name);
        out
    }

    /// Every type.
    pub fn all(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

impl Entry {
    /// Marks the type's status (registration is stable by default).
    pub fn status(&mut self, status: Status) -> &mut Entry {
        self.status = status;
        self
    }
}
