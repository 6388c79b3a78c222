-- Answers kept for retries have a lifetime: each records when it was
-- given (Unix seconds), indexed for pruning. Existing answers count as
-- given now.
ALTER TABLE responses ADD COLUMN at bigint NOT NULL DEFAULT 0;
UPDATE responses SET at = extract(epoch FROM now())::bigint;
CREATE INDEX responses_at ON responses (at);
