# jq has no literal replace; split/join is the literal equivalent of replace_all.
{
  id: .id,
  svc: (.service | ascii_upcase),
  name: (.user.name | ascii_upcase),
  parts: (.msg | split(" ")),
  path: (.msg | split("/api/v1/") | join("/v2/")),
  has_orders: (.msg | contains("orders")),
  msg_len: (.msg | length)
}
