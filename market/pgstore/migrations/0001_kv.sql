CREATE TABLE market_kv (
    bucket text  NOT NULL,
    key    bytea NOT NULL,
    val    bytea NOT NULL,
    PRIMARY KEY (bucket, key)
);
