using Orleans;
using Orleans.Runtime;

namespace OrleansTenancy.Storage;

/// <summary>Settings of <see cref="SqliteGrainStorage"/>.</summary>
public sealed class SqliteGrainStorageOptions
{
    /// <summary>
    /// The database file. A relative path resolves against the process working directory; the folder is created when
    /// missing. Defaults to <c>data/tenancy.db</c>. Give the usage ledger the same file so that grain state and ledger
    /// rows share one writer and one disk flush per batch.
    /// </summary>
    public string DataSource { get; set; } = "data/tenancy.db";

    /// <summary>
    /// How long an operation waits for another process's lock on the file before it fails (writers of this process
    /// queue in <c>SqliteWriteGate</c> and never wait on the lock). Defaults to 30 seconds; at least one second.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The silo lifecycle stage at which the file is opened and its schema applied. Defaults to
    /// <see cref="ServiceLifecycleStage.ApplicationServices"/>, the stage of Orleans' own storage providers.
    /// </summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;
}

/// <summary>Checks <see cref="SqliteGrainStorageOptions"/> when the silo starts; each error names the provider and the setting.</summary>
/// <param name="options">The options to check.</param>
/// <param name="name">The provider the options belong to, named in every error.</param>
public sealed class SqliteGrainStorageOptionsValidator(SqliteGrainStorageOptions options, string name) : IConfigurationValidator
{
    private readonly SqliteGrainStorageOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly string _name = name;

    /// <inheritdoc />
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(_options.DataSource) || _options.DataSource.Contains(';', StringComparison.Ordinal))
        {
            throw new OrleansConfigurationException(
                $"Grain storage '{_name}': {nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DataSource)} " +
                $"'{_options.DataSource}' must be a file path without ';' (for example 'data/tenancy.db').");
        }

        if (_options.BusyTimeout < TimeSpan.FromSeconds(1))
        {
            throw new OrleansConfigurationException(
                $"Grain storage '{_name}': {nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.BusyTimeout)} " +
                $"{_options.BusyTimeout} must be at least 00:00:01 (default 00:00:30).");
        }
    }
}
