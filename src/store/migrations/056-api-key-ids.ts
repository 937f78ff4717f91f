// Records name the API key that acted by its id (api:key_<id>), never by its first characters (issue 17); the stored prefix is erased.
// Earlier rows said api:<first 10 characters of the key>: each becomes the id of the one key with that prefix, or
// api:key_unknown when the key is gone or two keys shared the prefix.
const ACTOR_COLUMNS: [string, string][] = [
  ['settings_audit', 'actor'], ['jobs', 'sender'], ['submissions', 'sender'],
  ['inbound_faxes', 'last_retrieved_by'], ['inbound_faxes', 'deleted_by'], ['file_types', 'updated_by'],
];
const OLD = `LIKE 'api:fgk\\_%' ESCAPE '\\'`;
const mapped = (col: string) => `COALESCE((SELECT new FROM temp_key_actor_map WHERE old = ${col}), 'api:key_unknown')`;
const enc = (s: string) => `REPLACE(${s}, ':', '%3A')`;
const MAP = `CREATE TEMP TABLE temp_key_actor_map AS
  SELECT 'api:' || k.prefix AS old, 'api:key_' || k.id AS new FROM api_keys k
  WHERE k.prefix <> '' AND (SELECT COUNT(*) FROM api_keys k2 WHERE k2.prefix = k.prefix) = 1;
${ACTOR_COLUMNS.map(([t, c]) => `UPDATE ${t} SET ${c} = ${mapped(c)} WHERE ${c} ${OLD};`).join('\n')}`;

/** The feedback rows' update: `sender` reads the Sender field (NULL when absent), `set` writes it into the fields. */
const feedbackUpdate = (sender: string, set: (v: string) => string, valid: string) => `
UPDATE feedback_outbox SET
  fields = ${set(mapped(sender))},
  body = REPLACE(REPLACE(body, ${sender}, ${mapped(sender)}), ${enc(sender)}, ${enc(mapped(sender))})
  WHERE ${valid} ${sender} ${OLD};`;

// PostgreSQL 15 has no json_valid: a temporary function reads the field and answers NULL for text that is not JSON.
const PG_SENDER = 'pg_temp.faxgate_json_sender(fields)';

export const m056ApiKeyIds = {
  version: 56,
  name: 'api-key-ids',
  sql: `
${MAP}
-- Feedback rows: the Sender field, and the same value in the rendered body (as is in XML, %3A-encoded in a form).
${feedbackUpdate("json_extract(fields, '$.Sender')", (v) => `json_set(fields, '$.Sender', ${v})`, 'json_valid(fields) AND')}
UPDATE idempotency_keys SET response = REPLACE(response, m.old, m.new) FROM temp_key_actor_map m WHERE instr(response, m.old) > 0;
DROP TABLE temp_key_actor_map;
UPDATE api_keys SET prefix = '';
`,
  pg: `
${MAP}
CREATE FUNCTION pg_temp.faxgate_json_sender(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN t::jsonb ->> 'Sender';
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$;
${feedbackUpdate(PG_SENDER, (v) => `jsonb_set(fields::jsonb, '{Sender}', to_jsonb(${v}))::text`, '')}
UPDATE idempotency_keys SET response = REPLACE(response, m.old, m.new) FROM temp_key_actor_map m WHERE strpos(response, m.old) > 0;
DROP FUNCTION pg_temp.faxgate_json_sender(text);
DROP TABLE temp_key_actor_map;
UPDATE api_keys SET prefix = '';
`,
};
