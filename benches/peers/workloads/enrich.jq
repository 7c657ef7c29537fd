. + {
  total: (.order.price * .order.qty),
  is_error: (.level == "error"),
  slow: (.latency_ms > 100),
  source: "bench",
  version: 2,
  label: (.service + "/" + .host.region),
  user_key: (.user.tier + ":" + .user.id),
  latency_s: (.latency_ms / 1000)
}
