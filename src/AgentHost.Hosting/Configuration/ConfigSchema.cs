namespace AgentHost.Hosting.Configuration;

/// <summary>What a known key holds.</summary>
internal enum ConfigValueKind
{
    /// <summary>Free text.</summary>
    String,

    /// <summary>One of <see cref="ConfigKeyDefinition.AllowedValues"/> (case-insensitive).</summary>
    Enum,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A whole number of 1 or more.</summary>
    PositiveInteger,

    /// <summary>An absolute http(s) URL.</summary>
    Url,

    /// <summary>A regular expression for .NET's linear-time engine (<see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>).</summary>
    Pattern,

    /// <summary>A mapping whose keys are the known children listed in the table.</summary>
    Section,

    /// <summary>A mapping of arbitrary names to the child <c>prefix.*</c>.</summary>
    Map,

    /// <summary>A list of items described by the child <c>prefix.#</c>.</summary>
    List,

    /// <summary>
    /// A list or a mapping; its items (list items or mapping values) are described by the child <c>prefix.*</c> when
    /// there is one, else anything below it is accepted.
    /// </summary>
    ListOrMap,

    /// <summary>A single value, or a mapping whose keys are the known children listed in the table.</summary>
    ValueOrSection,

    /// <summary>Anything (not checked yet).</summary>
    Any,
}

/// <summary>One row of the schema.</summary>
/// <param name="Pattern">The dotted key; <c>*</c> stands for any name in a map, <c>#</c> for a list index.</param>
/// <param name="Kind">What the key holds.</param>
/// <param name="Description">One line for docs and messages.</param>
/// <param name="DefaultValue">The built-in default (only for keys without <c>*</c>/<c>#</c>).</param>
/// <param name="AllowedValues">The allowed values of an <see cref="ConfigValueKind.Enum"/>.</param>
/// <param name="Required">Whether every instance of the parent must set this key.</param>
/// <param name="Aliases">Other spellings an <see cref="ConfigValueKind.Enum"/> accepts, not offered in messages.</param>
internal sealed record ConfigKeyDefinition(
    string Pattern,
    ConfigValueKind Kind,
    string Description,
    string? DefaultValue = null,
    IReadOnlyList<string>? AllowedValues = null,
    bool Required = false,
    IReadOnlyList<string>? Aliases = null)
{
    public string Name => Pattern[(Pattern.LastIndexOf('.') + 1)..];

    public string Parent => Pattern.LastIndexOf('.') is var dot and >= 0 ? Pattern[..dot] : string.Empty;

    public bool IsContainer => Kind is ConfigValueKind.Section or ConfigValueKind.Map or ConfigValueKind.List or ConfigValueKind.ListOrMap or ConfigValueKind.ValueOrSection;
}

/// <summary>The known configuration keys: one table, extended by adding rows.</summary>
/// <remarks>
/// Every row's parent must be a row too (or the root). Top-level rows are the sections a config file may contain.
/// Documented in docs/configuration.md; keep the two in step.
/// </remarks>
internal static class ConfigSchema
{
    public static readonly IReadOnlyList<string> LogLevels = ["trace", "debug", "information", "warning", "error", "none"];

    /// <summary>The permission modes (as <c>PermissionModes.Names</c>, which this layer cannot reference).</summary>
    public static readonly IReadOnlyList<string> PermissionModeNames = ["ask", "accept-edits", "plan", "yolo", "dont-ask"];

    /// <summary>The other spellings <c>PermissionModes.TryParse</c> accepts (case aside): Claude Code's names and underscores.</summary>
    public static readonly IReadOnlyList<string> PermissionModeAliases = ["default", "acceptEdits", "accept_edits", "dontAsk", "dont_ask", "bypassPermissions", "bypass_permissions", "bypass-permissions"];

    public static readonly IReadOnlyList<ConfigKeyDefinition> Keys =
    [
        new("log_level", ConfigValueKind.Enum, "How much the host logs.", "information", LogLevels),
        new("model", ConfigValueKind.String, "The default model, e.g. openai/gpt-4o."),
        new("small_model", ConfigValueKind.String, "A small, cheap model (provider/model) that titles new sessions and serves --prefer fast|cheap; optional."),
        new("large_model", ConfigValueKind.String, "The most capable model (provider/model), used for --prefer best; optional."),
        new("multi_model", ConfigValueKind.Section, "Routing by task type (docs/providers.md)."),
        new("multi_model.use_for", ConfigValueKind.Section, "A model (provider/model or a bare id) or a preference (fast, cheap, best, balanced) per kind of request."),
        new("multi_model.use_for.plan", ConfigValueKind.String, "Turns in plan mode (or agent run --task plan)."),
        new("multi_model.use_for.edit", ConfigValueKind.String, "Turns that may change the project (every mode but plan)."),
        new("multi_model.use_for.summarise", ConfigValueKind.String, "Turns asked with agent run --task summarise."),
        new("multi_model.use_for.title", ConfigValueKind.String, "The titles of new sessions (over small_model)."),
        new("multi_model.use_for.compaction", ConfigValueKind.String, "Compaction summaries (over small_model)."),

        new("providers", ConfigValueKind.Map, "Model providers by name."),
        new("providers.*", ConfigValueKind.Section, "One model provider."),
        new("providers.*.type", ConfigValueKind.String, "The provider implementation (defaults to the provider's name)."),
        new("providers.*.base_url", ConfigValueKind.Url, "The API endpoint."),
        new("providers.*.api_key", ConfigValueKind.String, "The API key (secret; prefer api_key_env)."),
        new("providers.*.api_key_env", ConfigValueKind.String, "The environment variable that holds the API key."),
        new("providers.*.api_key_file", ConfigValueKind.String, "A file that holds the API key."),
        new("providers.*.api_key_command", ConfigValueKind.String, "A command that prints the API key."),
        new("providers.*.headers", ConfigValueKind.Map, "Extra HTTP headers."),
        new("providers.*.headers.*", ConfigValueKind.String, "One HTTP header value."),
        new("providers.*.models", ConfigValueKind.ListOrMap, "Models offered: a list of ids, or of {id, context_window, max_output_tokens, input_price, output_price, cached_input_price, features, tier}, or a map of ids to those settings."),
        new("providers.*.models.*", ConfigValueKind.ValueOrSection, "One model: its id, or its settings."),
        new("providers.*.models.*.id", ConfigValueKind.String, "The model id (list form)."),
        new("providers.*.models.*.name", ConfigValueKind.String, "The model id (list form; id wins)."),
        new("providers.*.models.*.context_window", ConfigValueKind.Integer, "The context window in tokens."),
        new("providers.*.models.*.max_output_tokens", ConfigValueKind.Integer, "The most tokens one answer may have."),
        new("providers.*.models.*.input_price", ConfigValueKind.String, "US dollars per million input tokens."),
        new("providers.*.models.*.output_price", ConfigValueKind.String, "US dollars per million output tokens."),
        new("providers.*.models.*.cached_input_price", ConfigValueKind.String, "US dollars per million cached input tokens."),
        new("providers.*.models.*.features", ConfigValueKind.List, "What the model supports, e.g. [tools, vision, reasoning]."),
        new("providers.*.models.*.features.#", ConfigValueKind.Enum, "One feature.", AllowedValues: ["tools", "vision", "reasoning"], Aliases: ["thinking"]),
        new("providers.*.models.*.tier", ConfigValueKind.Enum, "The model's tier for --prefer.", AllowedValues: ["fast", "balanced", "best"], Aliases: ["small", "cheap", "default", "large"]),
        // The ollama provider's per-model settings (docs/provider-ollama.md "Settings"): read from the model's entry first.
        new("providers.*.models.*.num_ctx", ConfigValueKind.Integer, "ollama: the context window Ollama allocates (options.num_ctx); 0 sends nothing."),
        new("providers.*.models.*.keep_alive", ConfigValueKind.String, "ollama: how long the model stays loaded after a request: seconds (-1 = stay, 0 = unload) or a duration (10m, 1h)."),
        new("providers.*.models.*.think", ConfigValueKind.Any, "ollama: thinking on or off (true/false), or a level (low, medium, high) for models that take one."),
        new("providers.*.models.*.timeout_seconds", ConfigValueKind.Integer, "ollama: how long to wait for the answer to start, then for each next line of the stream, in seconds (default 600)."),
        new("providers.*.settings", ConfigValueKind.Any, "Provider-specific settings for the provider plugin (see its docs), e.g. timeout_seconds."),
        new("providers.*.script", ConfigValueKind.String, "The scripted provider's script file."),

        new("plugins", ConfigValueKind.Section, "Plugin feeds and per-plugin settings."),
        new("plugins.feeds", ConfigValueKind.List, "Where plugins are installed from."),
        new("plugins.feeds.#", ConfigValueKind.Section, "One feed."),
        new("plugins.feeds.#.name", ConfigValueKind.String, "The feed's name (defaults to its url)."),
        new("plugins.feeds.#.url", ConfigValueKind.String, "An http(s) URL or a local folder.", Required: true),
        new("plugins.settings", ConfigValueKind.Map, "Settings by plugin id."),
        new("plugins.settings.*", ConfigValueKind.Any, "One plugin's settings."),
        new("plugins.defaults", ConfigValueKind.List, "Plugins every run loads without --plugin (default [files, shell, git, web]; [] for none; --no-default-plugins turns them off for one command).", "files, shell, git, web"),
        new("plugins.defaults.#", ConfigValueKind.String, "One plugin id (installed or in the bundled catalog)."),
        new("plugins.deferred_tools", ConfigValueKind.Map, "Per plugin id (or mcp, or mcp__SERVER): which of its tools the model loads on demand (docs/agent-loop.md)."),
        new("plugins.deferred_tools.*", ConfigValueKind.Any, "all, none, or a list of tool names (checked when a session opens)."),
        new("plugins.load_timeout", ConfigValueKind.Integer, "Seconds one plugin may take to load and register before the host goes on without it (default 10; 0 = no limit)."),

        new("permissions", ConfigValueKind.Section, "Permission rules and settings (checked in detail by the permission policy)."),
        new("permissions.mode", ConfigValueKind.Enum, "The default permission mode (ask, accept-edits, plan, yolo, dont-ask).", AllowedValues: PermissionModeNames, Aliases: PermissionModeAliases),
        new("permissions.extra_dirs", ConfigValueKind.Any, "More folders inside the sandbox."),
        new("permissions.allow", ConfigValueKind.Any, "Allow rules."),
        new("permissions.ask", ConfigValueKind.Any, "Ask rules."),
        new("permissions.deny", ConfigValueKind.Any, "Deny rules."),
        new("permissions.safety_floor", ConfigValueKind.Any, "false lifts the safety floor (not from a project file)."),
        new("permissions.max_read_bytes", ConfigValueKind.Integer, "The most bytes of one read tool's result given to the model; the smallest value of any layer applies, and a session's max_read_bytes may only be smaller."),
        new("permissions.trusted_projects", ConfigValueKind.List, "Project roots whose permission settings apply (not from a project file)."),
        new("permissions.trusted_projects.#", ConfigValueKind.String, "One absolute project root."),
        new("sandbox", ConfigValueKind.Section, "The operating-system sandbox around what the model runs (docs/sandbox.md); an untrusted project cannot set it."),
        new("sandbox.mode", ConfigValueKind.Enum, "auto: sandbox where the platform can (a notice where it cannot); required: refuse to run a command unsandboxed; off: no sandbox.", "auto", ["auto", "required", "off"]),
        new("sandbox.auto_allow", ConfigValueKind.Boolean, "true runs a shell command the sandbox contains (no network) without asking in ask and accept-edits modes; deny rules and the safety floor still apply first.", "false"),
        new("sandbox.network", ConfigValueKind.List, "Shell rules whose commands keep the network inside the sandbox, e.g. shell(npm install*); every part of a line must match."),
        new("sandbox.network.#", ConfigValueKind.String, "One shell rule (shell(pattern), or shell for every command)."),
        new("sandbox.network_domains", ConfigValueKind.List, "Domains every other sandboxed command reaches through the host's filtering HTTP(S) proxy (Linux; needs socat), e.g. [github.com, \"*.npmjs.org\"]; private addresses are refused as fetch refuses them."),
        new("sandbox.network_domains.#", ConfigValueKind.String, "One domain: a host name (github.com), *.example.com for its subdomains, * for every public host, or an IP address."),
        new("sandbox.program", ConfigValueKind.String, "The backend program: bwrap on Linux (default: bwrap on PATH), sandbox-exec on macOS (default: /usr/bin/sandbox-exec)."),
        new("sandbox.mcp_servers", ConfigValueKind.Boolean, "true runs stdio MCP servers inside the sandbox too (the same policy as the shell; a sandbox.network rule matching the server's command line keeps its network); default false in the CLI, true for agent serve's sessions."),
        new("sandbox.lsp_servers", ConfigValueKind.Boolean, "true runs language servers inside a sandbox bound to the root they serve (writable: that root and a temporary folder of its own; a sandbox.network rule matching the server's command line keeps its network); default false in the CLI, true for agent serve."),
        new("sandbox.hooks", ConfigValueKind.Boolean, "true runs hook commands inside the sandbox too (the same policy as the shell; a sandbox.network rule matching the hook's command keeps its network); default false in the CLI, true for agent serve's sessions."),
        new("shell", ConfigValueKind.Section, "What the model's commands (the shell tool, background jobs, workflow shell nodes) run with (docs/tools-shell.md); an untrusted project cannot set it."),
        new("shell.environment", ConfigValueKind.Section, "Their environment: the user's without the agent's own settings (AGENT_*, its token variable) and secret-named variables (*KEY*, *TOKEN*, *SECRET*, *PASSWORD*)."),
        new("shell.environment.include", ConfigValueKind.List, "Variables passed on although their names look secret, e.g. [GITHUB_TOKEN] (* matches any characters; never AGENT_* or the token variable). Not on a server: see server.session_env."),
        new("shell.environment.include.#", ConfigValueKind.String, "One variable name or pattern (GITHUB_TOKEN, NPM_*)."),
        new("memory", ConfigValueKind.Section, "Project memory (AGENTS.md and friends) in the system prompt."),
        new("memory.enabled", ConfigValueKind.Boolean, "false leaves project memory out of the system prompt.", "true"),
        new("memory.files", ConfigValueKind.List, "More memory files, relative to the project root, read after the root's own."),
        new("memory.files.#", ConfigValueKind.String, "One file inside the project."),
        new("memory.auto_update", ConfigValueKind.Boolean, "true offers the model a remember tool; its notes go into a section of the memory file the agent owns at the end of each turn, as a write the permissions decide (not from an untrusted project).", "false"),
        new("memory.auto_update_file", ConfigValueKind.String, "The memory file the notes go to, relative to the project root (not from an untrusted project).", "AGENTS.md"),
        new("memory.create_if_missing", ConfigValueKind.Boolean, "true creates a missing memory file from a small template when there are notes to save (not from an untrusted project).", "false"),
        new("skills", ConfigValueKind.Section, "Agent Skills discovery (see docs/skills.md)."),
        new("skills.enabled", ConfigValueKind.Boolean, "false turns skills off: no catalog in the prompt, no skill tool (default true)."),
        new("skills.paths", ConfigValueKind.List, "More folders searched for skills, after the project and user folders (relative to the project root, or absolute)."),
        new("skills.paths.#", ConfigValueKind.String, "One skills folder."),
        new("skills.disabled", ConfigValueKind.List, "Skill names never offered to the model nor activated by --skill or /name, wherever they are found, e.g. [deploy]; 'agent skill list' shows them as disabled."),
        new("skills.disabled.#", ConfigValueKind.String, "One skill name."),
        new("lsp", ConfigValueKind.Section, "Language servers run by the LSP bridge (docs/lsp.md)."),
        new("lsp.servers", ConfigValueKind.Map, "Language servers by name, beside those plugins declare (an entry named like a plugin's server changes only the keys it gives)."),
        new("lsp.servers.*", ConfigValueKind.Section, "One language server."),
        new("lsp.servers.*.command", ConfigValueKind.String, "The executable (on PATH, or a path); required unless a plugin defines a server of this name (then only the keys given change)."),
        new("lsp.servers.*.args", ConfigValueKind.List, "Command-line arguments, e.g. [--stdio]."),
        new("lsp.servers.*.args.#", ConfigValueKind.String, "One argument."),
        new("lsp.servers.*.env", ConfigValueKind.Map, "Extra environment variables."),
        new("lsp.servers.*.env.*", ConfigValueKind.String, "One variable."),
        new("lsp.servers.*.extensions", ConfigValueKind.List, "File extensions served, with the dot (.py)."),
        new("lsp.servers.*.extensions.#", ConfigValueKind.String, "One extension."),
        new("lsp.servers.*.language_ids", ConfigValueKind.Map, "LSP language ids by extension (.py: python)."),
        new("lsp.servers.*.language_ids.*", ConfigValueKind.String, "One language id."),
        new("lsp.servers.*.root_markers", ConfigValueKind.List, "Files or globs marking a workspace root (pyproject.toml)."),
        new("lsp.servers.*.root_markers.#", ConfigValueKind.String, "One marker."),
        new("lsp.servers.*.initialization_options", ConfigValueKind.Any, "initializationOptions sent with initialize."),
        new("lsp.servers.*.settings", ConfigValueKind.Any, "Settings answered to workspace/configuration."),
        new("lsp.servers.*.start_timeout", ConfigValueKind.String, "Seconds the server may take to initialise (default 30)."),
        new("lsp.servers.*.shutdown_timeout", ConfigValueKind.String, "Seconds the server may take to shut down before it is killed (default 5)."),
        new("lsp.servers.*.restart", ConfigValueKind.Enum, "What happens when it crashes.", AllowedValues: ["on-crash", "never"]),
        new("lsp.servers.*.max_restarts", ConfigValueKind.Integer, "Restarts allowed after crashes (default 3)."),
        new("lsp.servers.*.install", ConfigValueKind.String, "What to tell the user when the command is missing."),
        new("lsp.servers.*.description", ConfigValueKind.String, "One line about the server."),
        new("hooks", ConfigValueKind.Any, "Commands run at session events, in Claude Code's format: EVENT: [{matcher, hooks: [{type: command, command, timeout}]}] (docs/hooks.md); never variable-expanded; an untrusted project cannot set it."),
        new("mcp", ConfigValueKind.Section, "MCP servers the sessions connect to (beside plugins' and a trusted project's .mcp.json); an untrusted project cannot set it."),
        new("mcp.start", ConfigValueKind.Enum, "When servers start: session (when a session opens; the default of your and a project's servers), lazy (at the first call of one of its tools, offering its tools from the cache of its last listing) or background (never waited for: lazy with a cached listing, else started without holding the run; the default of plugins' servers).", AllowedValues: ["session", "lazy", "background"]),
        new("mcp.background_wait", ConfigValueKind.Integer, "Milliseconds a session's first model request waits for servers starting in the background (a plugin's server without a cached listing), so a fast one's tools are offered at once (default 500; 0 = never wait; at most 10000)."),
        new("mcp.start_timeout", ConfigValueKind.String, "Seconds a server may take to start before it is reported and left out (default 20)."),
        new("mcp.servers", ConfigValueKind.Map, "MCP servers by name; their tools are mcp__NAME__TOOL."),
        new("mcp.servers.*", ConfigValueKind.Section, "One MCP server: command (stdio) or url (HTTP)."),
        new("mcp.servers.*.command", ConfigValueKind.String, "The executable of a stdio server (on PATH, or a path)."),
        new("mcp.servers.*.args", ConfigValueKind.List, "Its arguments."),
        new("mcp.servers.*.args.#", ConfigValueKind.String, "One argument."),
        new("mcp.servers.*.env", ConfigValueKind.Map, "Extra environment variables of a stdio server."),
        new("mcp.servers.*.env.*", ConfigValueKind.String, "One variable."),
        new("mcp.servers.*.url", ConfigValueKind.Url, "The endpoint of an HTTP server (streamable HTTP, falling back to SSE)."),
        new("mcp.servers.*.headers", ConfigValueKind.Map, "HTTP headers, e.g. Authorization: Bearer ${TOKEN}."),
        new("mcp.servers.*.headers.*", ConfigValueKind.String, "One header."),
        new("mcp.servers.*.bearer_token", ConfigValueKind.String, "A bearer token for an HTTP server (a secret; prefer bearer_token_env or 'agent auth login mcp.NAME')."),
        new("mcp.servers.*.bearer_token_env", ConfigValueKind.String, "The environment variable holding the server's bearer token."),
        new("mcp.servers.*.bearer_token_file", ConfigValueKind.String, "A file that holds the server's bearer token."),
        new("mcp.servers.*.bearer_token_command", ConfigValueKind.String, "A command that prints the server's bearer token."),
        new("mcp.servers.*.start", ConfigValueKind.Enum, "When this server starts (default: mcp.start, else session; background for a plugin's server).", AllowedValues: ["session", "lazy", "background"]),
        new("mcp.servers.*.start_timeout", ConfigValueKind.String, "Seconds this server may take to start (default: mcp.start_timeout)."),
        new("mcp.servers.*.enabled", ConfigValueKind.Boolean, "false turns the server off (also one a plugin or .mcp.json defines)."),
        new("mcp.servers.*.description", ConfigValueKind.String, "One line about the server."),
        new("mcp.serve", ConfigValueKind.Section, "`agent mcp serve` settings."),
        new("mcp.serve.token_env", ConfigValueKind.String, "The environment variable holding the bearer token of `agent mcp serve --http` (default: a generated token, printed on standard error)."),
        new("secrets", ConfigValueKind.Section, "Secret scrubbing: rules beside the built-in ones (docs/sessions.md); an untrusted project cannot set it."),
        new("secrets.rules", ConfigValueKind.List, "More secret rules, in the shape of the built-in ones: {id, description, keywords, regex, entropy}."),
        new("secrets.rules.#", ConfigValueKind.Section, "One secret rule."),
        new("secrets.rules.#.id", ConfigValueKind.String, "The rule's id (kebab-case).", Required: true),
        new("secrets.rules.#.description", ConfigValueKind.String, "What the rule finds."),
        new("secrets.rules.#.keywords", ConfigValueKind.List, "Literal text (any case) every match contains; the rule runs only on lines holding one."),
        new("secrets.rules.#.keywords.#", ConfigValueKind.String, "One keyword."),
        new("secrets.rules.#.regex", ConfigValueKind.Pattern, "The regular expression (linear-time engine: no lookarounds or backreferences); the group named secret is masked, else the whole match.", Required: true),
        new("secrets.rules.#.entropy", ConfigValueKind.String, "The least Shannon entropy (bits per character) a secret must have to be masked, e.g. 3.5."),

        new("telemetry", ConfigValueKind.Section, "OpenTelemetry traces and metrics of agent run, the chat and agent serve (docs/server.md#telemetry); an untrusted project cannot set it."),
        new("telemetry.enabled", ConfigValueKind.Boolean, "true exports traces and metrics over OTLP (unset: on when OTEL_EXPORTER_OTLP_ENDPOINT is set; off by default)."),
        new("telemetry.service_name", ConfigValueKind.String, "The service.name of the exported data (default: OTEL_SERVICE_NAME, else agent)."),
        new("telemetry.traces", ConfigValueKind.Boolean, "false sends no spans (default: OTEL_TRACES_EXPORTER, else true)."),
        new("telemetry.metrics", ConfigValueKind.Boolean, "false pushes no metrics over OTLP (default: OTEL_METRICS_EXPORTER, else true)."),
        new("telemetry.prometheus", ConfigValueKind.Boolean, "false turns off agent serve's Prometheus scrape endpoint /metrics (default true when telemetry is on)."),
        new("telemetry.otlp", ConfigValueKind.Section, "Where the OTLP exporter sends."),
        new("telemetry.otlp.endpoint", ConfigValueKind.Url, "The collector's base URL, e.g. http://127.0.0.1:4318 (default: OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4317); http/protobuf appends /v1/traces and /v1/metrics."),
        new("telemetry.otlp.protocol", ConfigValueKind.Enum, "grpc or http/protobuf (default: OTEL_EXPORTER_OTLP_PROTOCOL, else grpc).", AllowedValues: ["grpc", "http/protobuf"]),

        new("server", ConfigValueKind.Section, "`agent serve` settings (the HTTP API); an untrusted project cannot set it."),
        new("server.port", ConfigValueKind.Integer, "The port `agent serve` listens on (default 4141; 0 picks a free one)."),
        new("server.token_env", ConfigValueKind.String, "The environment variable holding the bearer token of `agent serve` (default: a generated token, printed on standard error)."),
        new("server.permission_timeout", ConfigValueKind.String, "Seconds a permission request of a server session waits for a client's answer before it is denied (default 300)."),
        new("server.idle_timeout", ConfigValueKind.String, "Seconds an open server session may go unused before the server closes it, releasing its lease and keeping its history; the next request opens it again (default: never)."),
        new("server.store", ConfigValueKind.String, "The session store of `agent serve`: a postgres://user:password@host:5432/database URI for a shared PostgreSQL database (unset: the SQLite store in the data folder). Only from the user's configuration, AGENT_SERVER__STORE or --store: a project's file cannot set it, trusted or not. Shown redacted (it may hold a password)."),
        new("server.cluster", ConfigValueKind.Section, "`agent serve --cluster`: nodes that serve one set of sessions together on Orleans, with the PostgreSQL store (server.store) as their membership table (docs/cluster.md)."),
        new("server.cluster.id", ConfigValueKind.String, "The cluster's name: nodes with the same name and store form one cluster (default agenthost)."),
        new("server.cluster.address", ConfigValueKind.String, "The IP address other nodes reach this node at (default 127.0.0.1: a cluster on one machine)."),
        new("server.cluster.port", ConfigValueKind.Integer, "The port other nodes reach this node at (default 11111; with the loopback address, and with 0, a free one)."),
        new("server.cluster.drain_timeout", ConfigValueKind.String, "Seconds a node that stops (SIGTERM) lets its running turns finish before it records them as interrupted and lets their sessions go to other nodes (default 30; 0 to 3600)."),
        new("server.cluster.probe_timeout", ConfigValueKind.String, "Seconds between a node's liveness probes of other nodes, and how long it waits for an answer; three missed in a row (from two nodes) declare a node dead and move its sessions (default 2; 0.5 to 60)."),
        new("server.cluster.tls", ConfigValueKind.Section, "How nodes authenticate each other on the silo port: mutual TLS with the cluster's certificate, made by the first node and kept in the store, unless configured here (docs/cluster.md#between-nodes)."),
        new("server.cluster.tls.mode", ConfigValueKind.Enum, "auto: mutual TLS with the cluster's certificate (server.cluster.tls.certificate, else the store's); off: no authentication or encryption between nodes, only on a private network (the node warns at start).", "auto", ["auto", "off"]),
        new("server.cluster.tls.certificate", ConfigValueKind.String, "The cluster's certificate with its private key, a PKCS#12 (.pfx) or PEM file, the same on every node, instead of the store's (default: the store's)."),
        new("server.cluster.tls.password_env", ConfigValueKind.String, "The environment variable holding the password of server.cluster.tls.certificate (default: the file has none)."),
        new("server.cluster.workflow_check", ConfigValueKind.String, "Seconds between the cluster's checks that each running workflow run still has a node; a run whose node died or stopped resumes on another node at the next check (default 60; 1 to 86400)."),
        new("server.session_env", ConfigValueKind.List, "Variables of the server's environment its sessions' processes get besides the allow-list (PATH, HOME, LANG, LC_*, TERM, TMPDIR, USER, LOGNAME, SHELL, TZ), e.g. [JAVA_HOME, GOPATH] (* matches any characters); everything else, the server's token and keys included, stays in the server."),
        new("server.session_env.#", ConfigValueKind.String, "One variable name or pattern."),
        new("server.max_request_bytes", ConfigValueKind.Integer, "The largest request body `agent serve` accepts (default 4194304, 4 MiB)."),
        new("server.limits", ConfigValueKind.Section, "Per-user limits of `agent serve` (the server's own token has none); over one: 429 with Retry-After."),
        new("server.limits.requests_per_minute", ConfigValueKind.Integer, "Requests per user per minute (default: no limit)."),
        new("server.limits.concurrent_runs", ConfigValueKind.Integer, "Runs per user at once (default: no limit)."),
        new("server.limits.tokens_per_day", ConfigValueKind.Integer, "Input and output tokens per user per day, UTC (default: no budget); a run does not start over it."),
        new("server.limits.cost_per_day", ConfigValueKind.String, "USD per user per day, UTC, such as 5 or 12.50 (default: no budget); a run does not start over it."),
        new("server.roots", ConfigValueKind.List, "Workspace roots every user of `agent serve` may use (sessions' roots must be inside one; default: only the server's --root)."),
        new("server.roots.#", ConfigValueKind.String, "One folder (absolute, or relative to the server's root)."),
        new("server.role_roots", ConfigValueKind.Map, "Workspace roots per role (admin, member, viewer), instead of server.roots for that role."),
        new("server.role_roots.*", ConfigValueKind.List, "The roots of one role."),
        new("server.role_roots.*.#", ConfigValueKind.String, "One folder."),
        new("server.user_roots", ConfigValueKind.Map, "Workspace roots per user name, instead of their role's or server.roots."),
        new("server.user_roots.*", ConfigValueKind.List, "The roots of one user."),
        new("server.user_roots.*.#", ConfigValueKind.String, "One folder."),
        new("server.plugins", ConfigValueKind.List, "The plugin ids a member of `agent serve` may name in a session or workflow (default: every bundled and installed plugin); a member never names a plugin folder (docs/server.md \"Plugins and files a member names\")."),
        new("server.plugins.#", ConfigValueKind.String, "One plugin id (bundled, or installed with 'agent plugin install')."),
        new("server.role_permission_modes", ConfigValueKind.Map, "The permission modes each role (admin, member, viewer) may choose for a session, at create, PATCH and send (default: every mode; for members, yolo only where the server has a working OS sandbox, see server.allow_unsandboxed_modes)."),
        new("server.role_permission_modes.*", ConfigValueKind.List, "The modes of one role, e.g. [ask, accept-edits, plan, dont-ask]."),
        new("server.role_permission_modes.*.#", ConfigValueKind.String, "One mode: ask, accept-edits, plan, yolo or dont-ask."),
        new("server.allow_unsandboxed_modes", ConfigValueKind.Boolean, "true lets members choose yolo (which runs commands unasked) although the server has no working OS sandbox (default false: refused, and agent serve says so at start)."),
        new("server.jwt", ConfigValueKind.Section, "JWT bearer authentication with an identity provider (docs/server.md \"JWT\"): tokens signed by its keys, for the issuer and audience below."),
        new("server.jwt.issuer", ConfigValueKind.String, "The issuer (iss) every token must carry."),
        new("server.jwt.audience", ConfigValueKind.String, "The audience (aud) every token must carry."),
        new("server.jwt.signing_keys", ConfigValueKind.List, "The identity provider's public key files: PEM (RSA or EC public keys, certificates) or JWKS documents."),
        new("server.jwt.signing_keys.#", ConfigValueKind.String, "One key file (absolute, or relative to the server's root)."),
        new("server.jwt.authority", ConfigValueKind.String, "The identity provider's https:// address: its signing keys come from its OpenID configuration."),
        new("server.jwt.name_claim", ConfigValueKind.String, "The claim holding the user name (default sub)."),
        new("server.jwt.role_claim", ConfigValueKind.String, "The claim holding the role values (default role)."),
        new("server.jwt.roles", ConfigValueKind.Map, "Claim values meaning each role (admin, member, viewer); default: the role names themselves."),
        new("server.jwt.roles.*", ConfigValueKind.List, "The claim values of one role."),
        new("server.jwt.roles.*.#", ConfigValueKind.String, "One claim value."),
        new("session", ConfigValueKind.Section, "Defaults of every session's settings (a session's own settings and a run's flags win); each value is checked when a run starts (docs/sessions.md)."),
        new("session.max_steps", ConfigValueKind.Any, "The step limit of a run (1-1000; default 50)."),
        new("session.dry_run", ConfigValueKind.Any, "Whether mutating tools only report their changes (true or false)."),
        new("session.permission_mode", ConfigValueKind.Enum, "The permission mode of new sessions (ask, accept-edits, plan, yolo, dont-ask).", AllowedValues: PermissionModeNames, Aliases: PermissionModeAliases),
        new("session.sandbox", ConfigValueKind.Any, "The sandbox mode of new sessions (auto, required, off)."),
        new("session.temperature", ConfigValueKind.Any, "Model temperature (0-2)."),
        new("session.top_p", ConfigValueKind.Any, "Nucleus sampling (0-1)."),
        new("session.max_output_tokens", ConfigValueKind.Any, "The most tokens one answer may have."),
        new("session.stop", ConfigValueKind.Any, "Stop sequences (up to 4)."),
        new("session.seed", ConfigValueKind.Any, "A sampling seed."),
        new("session.reasoning_effort", ConfigValueKind.Any, "Reasoning effort (none, low, medium, high, xhigh)."),
        new("session.system_prompt", ConfigValueKind.Any, "The session's own instructions instead of the built-in ones (the environment, project memory and skills still follow)."),
        new("session.append_system_prompt", ConfigValueKind.Any, "Instructions added at the end of the system prompt."),
        new("session.tools", ConfigValueKind.Any, "The only tools offered to the model, comma-separated (view,grep or files/view, mcp__SERVER__TOOL)."),
        new("session.mcp_servers", ConfigValueKind.Any, "The only configured MCP servers a session starts, comma-separated, or none."),
        new("session.max_read_bytes", ConfigValueKind.Any, "The most bytes one read may return (a session policy)."),
        new("session.allow_paths", ConfigValueKind.Any, "Path globs the session's file tools may use, and no others (a session policy)."),
        new("session.deny_paths", ConfigValueKind.Any, "Path globs the session's file tools may not use (a session policy)."),
        new("session.network_allow", ConfigValueKind.Any, "Hosts the session's network tools may reach, and no others (a session policy)."),
        new("session.deny_tools", ConfigValueKind.Any, "Tools the session refuses in every mode and does not offer to the model, comma-separated (a session policy)."),
        new("session.retention_days", ConfigValueKind.PositiveInteger, "Delete sessions not active for this many days, in the background when a run, chat or server starts (default: keep them); not a per-session setting."),
        new("session.max_sessions", ConfigValueKind.PositiveInteger, "Keep at most this many sessions (per owner), the most recently active, deleting older ones in the background when a run, chat or server starts (default: no limit); not a per-session setting."),
    ];

    private static readonly Dictionary<string, ConfigKeyDefinition> ByPattern =
        Keys.ToDictionary(key => key.Pattern, ConfigKeys.Comparer);

    private static readonly ILookup<string, ConfigKeyDefinition> ByParent =
        Keys.ToLookup(key => key.Parent, ConfigKeys.Comparer);

    /// <summary>The top-level section names.</summary>
    public static IEnumerable<string> TopLevelNames => ChildrenOf(string.Empty).Select(key => key.Name);

    public static IEnumerable<ConfigKeyDefinition> ChildrenOf(string pattern) => ByParent[pattern];

    public static ConfigKeyDefinition? Find(string pattern) => ByPattern.GetValueOrDefault(pattern);

    public static bool IsTopLevel(string name) => ByPattern.ContainsKey(name) && !name.Contains('.', StringComparison.Ordinal);

    /// <summary>Describes what a container holds, for messages.</summary>
    public static string DescribeContainer(ConfigKeyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Kind switch
        {
            ConfigValueKind.Section => $"a section with the keys {string.Join(", ", ChildrenOf(definition.Pattern).Select(child => child.Name))}",
            ConfigValueKind.Map => "a map of names to settings",
            ConfigValueKind.List => "a list ('- ' items)",
            ConfigValueKind.ListOrMap => "a list or a map",
            ConfigValueKind.ValueOrSection => $"a single value, or a section with the keys {string.Join(", ", ChildrenOf(definition.Pattern).Select(child => child.Name))}",
            ConfigValueKind.Enum => "one of: " + string.Join(", ", definition.AllowedValues ?? []),
            ConfigValueKind.Boolean => "true or false",
            ConfigValueKind.Integer => "a whole number",
            ConfigValueKind.PositiveInteger => "a whole number of 1 or more",
            ConfigValueKind.Url => "an http(s) URL",
            _ => "a single value",
        };
    }
}
