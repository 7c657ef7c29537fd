{
  id: .id,
  multi_skus: [.order.items[] | select(.qty > 1) | .sku],
  line_totals: [.order.items[] | .price * .qty],
  long_tags: [.tags[] | select(length > 4) | ascii_upcase]
}
