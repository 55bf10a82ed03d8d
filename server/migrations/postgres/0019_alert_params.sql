-- What is needed to write an alert again in any language (issue 13): the rule's parameters as JSON
-- (the kind is the `kind` column). The English `title` and `body` stay stored for outgoing
-- webhooks and for alerts raised before this column existed (NULL here).
ALTER TABLE alerts ADD COLUMN params TEXT;
