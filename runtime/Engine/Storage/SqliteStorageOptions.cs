namespace OrleansTenancy.Runtime.Storage;

/// <summary>Settings of <see cref="SqliteGrainStorage"/>.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>
    /// The database file. Relative paths resolve against the process working directory; the folder is
    /// created when missing. Defaults to <c>data/tenancy.db</c>.
    /// </summary>
    public string DataSource { get; set; } = "data/tenancy.db";

    /// <summary>The service id that scopes every key, so several clusters can share one file. Defaults to <c>default</c>.</summary>
    public string ServiceId { get; set; } = "default";

    /// <summary>
    /// How long an operation waits for another writer's lock on the file before failing. SQLite allows one
    /// writer at a time. Defaults to 30 seconds; must be at least one second.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is unusable, naming the setting and the provider.</summary>
    /// <param name="providerName">The provider the settings belong to, named in the error.</param>
    public void Validate(string providerName)
    {
        if (string.IsNullOrWhiteSpace(DataSource) || DataSource.Contains(';', StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Grain storage '{providerName}': SqliteStorageOptions.DataSource '{DataSource}' must be a file path without ';' (e.g. 'data/tenancy.db').");
        }

        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new InvalidOperationException($"Grain storage '{providerName}': SqliteStorageOptions.ServiceId must not be empty (default 'default').");
        }

        if (BusyTimeout < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException(
                $"Grain storage '{providerName}': SqliteStorageOptions.BusyTimeout {BusyTimeout} must be at least 00:00:01.");
        }
    }
}
