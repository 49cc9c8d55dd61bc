"""Privacy that fails closed: find personal data in everything published (scan), refer to people by
`@contact-id` (mentions), publish only what an assessor needs (fields), and erase for good (erase,
tombstone). See docs/privacy.md."""
