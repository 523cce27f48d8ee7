-- AgentHost's own (not vendored from Orleans): the credential each cluster's nodes authenticate each other with on the
-- silo port (mutual TLS, docs/cluster.md "Between nodes"). One row per cluster (the cluster's name, server.cluster.id),
-- made by the first node to start (INSERT ... ON CONFLICT DO NOTHING, then read back) and read by every other node:
-- a self-signed certificate and its private key, as PEM. A secret: whoever reads this table can act as a node, as
-- whoever reads the store's URI can already read and write every session.
CREATE TABLE agenthost_cluster_credentials
(
    cluster_id text NOT NULL PRIMARY KEY,
    certificate text NOT NULL,
    private_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
