-- Alert webhook URLs are credentials (a Slack URL alone lets anyone post into the channel): the
-- full URL is stored sealed in `url_sealed` and `url` keeps only the masked form shown in the UI
-- and API (scheme, host, `/…`). Rows created before this migration still hold a plain URL with a
-- NULL `url_sealed`: SQL cannot seal, so the server seals them once at start-up
-- (`alerts::outgoing::seal_stored_urls`) and overwrites `url` with the masked form.
ALTER TABLE outgoing_webhooks ADD COLUMN url_sealed TEXT;
