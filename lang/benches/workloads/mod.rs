//! The peer workloads shared by the criterion benchmark and the
//! `enrich` example (instruction counts): mappings and the input record.

/// A realistic 8-statement enrichment mapping (arithmetic, comparisons,
/// literals, string concatenation, nested reads).
pub const ENRICH: &str = r#"root.id = this.id
root.customer = this.customer.first + " " + this.customer.last
root.total = this.price * this.quantity
root.discounted = this.price * this.quantity * (1 - this.discount)
root.is_large = this.quantity > 10 && this.price >= 100
root.region = if this.country == "DE" { "eu" } else { "other" }
root.tags = ["order", this.channel]
root.meta.source = "shop-" + this.store.id.string()
"#;

/// The string-functions workload: uppercase, split, replace_all, contains,
/// length.
pub const STRINGS: &str = r#"root.name = this.customer.last.uppercase()
root.date = this.created.split("T").index(0)
root.note = this.note.replace_all("door", "gate")
root.web = this.channel.contains("we")
root.note_len = this.note.length()
"#;

/// The array workload: `filter` then `map_each`.
pub const ARRAYS: &str = r#"root.id = this.id
root.bulk = this.items.filter(i -> i.qty > 5).map_each(i -> i.sku)
root.qtys = this.items.map_each(i -> i.qty * 2)
"#;

/// A ~400-byte order record.
pub const ORDER: &str = r#"{"id":"ord-000123","customer":{"first":"Ada","last":"Lovelace","email":"ada@example.com"},"price":129.5,"quantity":12,"discount":0.15,"country":"DE","channel":"web","store":{"id":42,"name":"Berlin Mitte"},"items":[{"sku":"A-1","qty":3},{"sku":"B-2","qty":9}],"note":"leave at the door","created":"2024-05-01T12:00:00Z"}"#;
