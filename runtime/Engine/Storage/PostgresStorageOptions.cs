namespace OrleansTenancy.Runtime.Storage;

/// <summary>Settings of <see cref="PostgresGrainStorage"/>.</summary>
public sealed class PostgresStorageOptions
{
    /// <summary>The Npgsql connection string (required), e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The service id that scopes every key, so several clusters can share one database. Defaults to <c>default</c>.</summary>
    public string ServiceId { get; set; } = "default";

    /// <summary>The table that holds grain state. Defaults to <c>grain_state</c>; a plain lower-case SQL identifier.</summary>
    public string TableName { get; set; } = "grain_state";

    /// <summary>Throws when a setting is unusable, naming the setting and the provider.</summary>
    /// <param name="providerName">The provider the settings belong to, named in the error.</param>
    public void Validate(string providerName)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException(
                $"Grain storage '{providerName}': PostgresStorageOptions.ConnectionString is required (e.g. 'Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy').");
        }

        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new InvalidOperationException($"Grain storage '{providerName}': PostgresStorageOptions.ServiceId must not be empty (default 'default').");
        }

        if (!SqlIdentifier.IsPlain(TableName))
        {
            throw new InvalidOperationException(
                $"Grain storage '{providerName}': PostgresStorageOptions.TableName '{TableName}' must be a lower-case identifier of letters, digits and '_' starting with a letter (default 'grain_state').");
        }
    }
}

/// <summary>Checks table names that are spliced into SQL text.</summary>
internal static class SqlIdentifier
{
    public static bool IsPlain(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 63 && name[0] is >= 'a' and <= 'z'
        && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_');
}
