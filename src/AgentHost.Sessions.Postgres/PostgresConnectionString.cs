using AgentHost.Hosting;
using Npgsql;

namespace AgentHost.Sessions.Postgres;

/// <summary>
/// A PostgreSQL store's connection setting: a <c>postgres://</c> (or <c>postgresql://</c>) URI —
/// <c>postgres://user:password@host:5432/database?sslmode=require</c> — or an Npgsql keyword string
/// (<c>Host=…;Username=…;Database=…</c>), parsed once, with the form that may be shown: <see cref="Location"/> never
/// carries the password.
/// </summary>
/// <remarks>Immutable. The password is only in <see cref="Builder"/>, which is never logged.</remarks>
public sealed class PostgresConnectionString
{
    private PostgresConnectionString(NpgsqlConnectionStringBuilder builder)
    {
        Builder = builder;
        Location = string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"postgres://{(string.IsNullOrEmpty(builder.Username) ? string.Empty : Uri.EscapeDataString(builder.Username) + "@")}{builder.Host}:{builder.Port}/{builder.Database}");
    }

    /// <summary>Where the store is, for messages and logs: <c>postgres://user@host:port/database</c>, without the password.</summary>
    public string Location { get; }

    /// <summary>The host (the first, when several are given).</summary>
    public string Host => Builder.Host?.Split(',')[0] ?? "localhost";

    /// <summary>The port.</summary>
    public int Port => Builder.Port;

    /// <summary>The parsed setting (it holds the password: never log it).</summary>
    internal NpgsqlConnectionStringBuilder Builder { get; }

    /// <summary>
    /// The setting as an Npgsql connection string, for a component that opens its own connections to the same database
    /// (the cluster's membership table). It holds the password: never log or store it.
    /// </summary>
    /// <param name="applicationName">The <c>Application Name</c> PostgreSQL shows for these connections.</param>
    /// <returns>The connection string.</returns>
    public string ToNpgsqlConnectionString(string applicationName) =>
        new NpgsqlConnectionStringBuilder(Builder.ConnectionString) { ApplicationName = applicationName }.ConnectionString;

    /// <summary>Whether a store setting names a PostgreSQL database (a <c>postgres://</c> or <c>postgresql://</c> URI).</summary>
    /// <param name="setting">The setting's value.</param>
    /// <returns>Whether it is a PostgreSQL URI.</returns>
    public static bool IsPostgresUri(string? setting) =>
        setting is not null
        && (setting.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || setting.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a URI or a keyword string.</summary>
    /// <param name="setting">The value.</param>
    /// <param name="settingName">The setting it came from, for the error (e.g. <c>server.store</c>).</param>
    /// <returns>The parsed setting.</returns>
    /// <exception cref="AgentHostException">Not a PostgreSQL connection setting (<see cref="ErrorKind.Configuration"/>), naming the setting and the expected form; the value itself is not repeated (it may hold a password).</exception>
    public static PostgresConnectionString Parse(string setting, string settingName = "server.store")
    {
        ArgumentNullException.ThrowIfNull(setting);
        try
        {
            var builder = IsPostgresUri(setting) ? FromUri(setting, settingName) : new NpgsqlConnectionStringBuilder(setting);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw Invalid(settingName, "it names no host");
            }

            if (string.IsNullOrWhiteSpace(builder.Database))
            {
                throw Invalid(settingName, "it names no database");
            }

            builder.ApplicationName ??= "agent";
            return new PostgresConnectionString(builder);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            throw Invalid(settingName, ex.Message.TrimEnd('.'));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Location;

    private static NpgsqlConnectionStringBuilder FromUri(string setting, string settingName)
    {
        if (!Uri.TryCreate(setting, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(settingName, "it is not a well-formed URI");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']'), Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            builder[key switch
            {
                "sslmode" => "SSL Mode",
                "application_name" => "Application Name",
                "connect_timeout" => "Timeout",
                _ => key,
            }] = value;
        }

        return builder;
    }

    private static AgentHostException Invalid(string settingName, string why) =>
        new(
            ErrorKind.Configuration,
            $"{settingName} is not a usable PostgreSQL connection setting ({why}); write it as postgres://user:password@host:5432/database "
            + "(or Npgsql keywords: Host=…;Username=…;Password=…;Database=…), in the environment or your user configuration.");
}
