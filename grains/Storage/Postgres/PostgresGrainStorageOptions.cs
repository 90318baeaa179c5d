using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace OrleansTenancy.Storage;

/// <summary>
/// Settings of grain storage on PostgreSQL through Orleans' AdoNet provider and the scripts of <c>deploy/sql</c>
/// (registered with <see cref="GrainStorageSiloBuilderExtensions.AddPostgresGrainStorage(Orleans.Hosting.ISiloBuilder, string, Action{PostgresGrainStorageOptions})"/>).
/// </summary>
public sealed class PostgresGrainStorageOptions
{
    /// <summary>The Npgsql connection string (required), e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy</c>. The database must exist.</summary>
    [RedactConnectionString]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Whether the silo applies <c>deploy/sql/postgresql</c> when it starts, before the provider reads its statements.
    /// Defaults to <see langword="true"/>. Set it to <see langword="false"/> when the silo's database user may not
    /// create tables; apply the scripts with <c>deploy/sql/apply.sh</c> then.
    /// </summary>
    public bool ApplyScriptsAtStart { get; set; } = true;
}

/// <summary>Checks <see cref="PostgresGrainStorageOptions"/> when the silo starts; each error names the provider and the setting.</summary>
/// <param name="options">The options to check.</param>
/// <param name="name">The provider the options belong to, named in every error.</param>
public sealed class PostgresGrainStorageOptionsValidator(PostgresGrainStorageOptions options, string name) : IConfigurationValidator
{
    private readonly PostgresGrainStorageOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly string _name = name;

    /// <inheritdoc />
    public void ValidateConfiguration()
    {
        const string Setting = $"{nameof(PostgresGrainStorageOptions)}.{nameof(PostgresGrainStorageOptions.ConnectionString)}";
        if (string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            throw new OrleansConfigurationException(
                $"Grain storage '{_name}': {Setting} is required (for example 'Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy').");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new OrleansConfigurationException($"Grain storage '{_name}': {Setting} is not a valid Npgsql connection string: {ex.Message}", ex);
        }
    }
}
