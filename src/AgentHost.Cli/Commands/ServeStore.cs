using System.Runtime.CompilerServices;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Sessions.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli.Commands;

/// <summary>
/// The session store of <c>agent serve</c>: <c>--store</c>, else <c>server.store</c> from the user's configuration or
/// <c>AGENT_SERVER__STORE</c> — a <c>postgres://</c> URI opens the PostgreSQL store (docs/server.md "The store"); unset,
/// the SQLite store in the data folder. A project's configuration can never choose it: it would send every session,
/// with its prompts and tool output, to a database the project names.
/// </summary>
internal static class ServeStore
{
    /// <summary>The setting the store comes from and its value, or <see langword="null"/> for the SQLite default.</summary>
    /// <exception cref="AgentHostException">A project file sets it, or the value is not a PostgreSQL URI (the value is never repeated: it may hold a password).</exception>
    public static (string Value, string SettingName)? Choose(string? option, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (option is null && configuration.Explain("server.store") is null
            && configuration.IgnoredProjectEntries.FirstOrDefault(e => ConfigKeys.Comparer.Equals(e.Key, "server.store")) is { } ignored)
        {
            // An untrusted project's value is dropped from the configuration; the server would quietly use another store.
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"server.store is set in {ignored.Source}: a project's configuration cannot choose the session store, trusted or not (and this project is not trusted), so the server would not use it. Remove it there; set it in your user configuration, AGENT_SERVER__STORE or --store.");
        }

        var (value, name) = option is not null
            ? (option, "--store")
            : configuration.Explain("server.store") is { } entry
                ? entry.Layer == ConfigLayer.Project
                    ? throw new AgentHostException(
                        ErrorKind.Configuration,
                        $"server.store is set in {entry.Source}: a project's configuration cannot choose the session store, trusted or not (every session's prompts and tool output would go where the project says). Remove it there; set it in your user configuration, AGENT_SERVER__STORE or --store.")
                    : (entry.Value, entry.Layer == ConfigLayer.Environment && entry.Origin is { } variable ? variable : "server.store")
                : (null, "server.store");
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return PostgresConnectionString.IsPostgresUri(value.Trim())
            ? (value.Trim(), name)
            : throw new AgentHostException(
                ErrorKind.Configuration,
                $"{name} is not a PostgreSQL URI; write postgres://user:password@host:5432/database, or leave it unset for the SQLite store in the data folder.");
    }

    /// <summary>
    /// Opens the store the server uses — the one <see cref="Choose"/> names, else the SQLite store — and makes it the
    /// context's store. <c>agent serve</c> and <c>agent server user</c> both open it this way, so users are added to the
    /// store the server reads them from.
    /// </summary>
    public static async Task<Opened> OpenAsync(CliContext context, string? option, ConfigurationSnapshot configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Choose(option, configuration) is not { } chosen)
        {
            return new Opened(await context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false), IsPostgres: false);
        }

        var store = await OpenPostgresAsync(chosen.Value, chosen.SettingName, context.Services, cancellationToken).ConfigureAwait(false);
        context.UseSessionStore(store);
        return new Opened(store, IsPostgres: true);
    }

    /// <summary>The store opened, and which kind it is.</summary>
    /// <param name="Store">The store (the context's store from now on).</param>
    /// <param name="IsPostgres">Whether it is the PostgreSQL store a setting named (else the SQLite store in the data folder).</param>
    public sealed record Opened(ISessionStore Store, bool IsPostgres)
    {
        /// <summary>
        /// The store for a message: <c>the SQLite store /home/u/.local/share/agent/sessions.db</c> or
        /// <c>the PostgreSQL store postgres://user@host:5432/database</c> (never the password).
        /// </summary>
        public string Describe => $"the {(IsPostgres ? "PostgreSQL" : "SQLite")} store {Store.Location}";
    }

    /// <summary>Opens the PostgreSQL store (its own method: only this path loads Npgsql).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<ISessionStore> OpenPostgresAsync(string value, string settingName, IServiceProvider services, CancellationToken cancellationToken) =>
        await PostgresSessionStore.OpenAsync(
            PostgresConnectionString.Parse(value, settingName),
            services.GetRequiredService<SecretScrubber>(),
            services.GetRequiredService<TimeProvider>(),
            logger: services.GetRequiredService<ILogger<SessionStore>>(),
            settingName: settingName,
            cancellationToken: cancellationToken).ConfigureAwait(false);
}
