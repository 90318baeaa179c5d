using Orleans;
using Orleans.Runtime;

namespace OrleansTenancy.Storage;

/// <summary>Settings of <see cref="BatchedPostgresGrainStorage"/>.</summary>
public sealed class BatchedPostgresGrainStorageOptions
{
    /// <summary>The Npgsql connection string (required), e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy</c>.</summary>
    [RedactConnectionString]
    public string ConnectionString { get; set; } = "";

    /// <summary>The table that holds grain state; created when missing. Defaults to <c>grain_state</c>; a plain lower-case SQL identifier.</summary>
    public string TableName { get; set; } = "grain_state";

    /// <summary>
    /// The silo lifecycle stage at which the table is created when missing. Defaults to
    /// <see cref="ServiceLifecycleStage.ApplicationServices"/>, the stage of Orleans' own storage providers.
    /// </summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;
}

/// <summary>Checks <see cref="BatchedPostgresGrainStorageOptions"/> when the silo starts; each error names the provider and the setting.</summary>
/// <param name="options">The options to check.</param>
/// <param name="name">The provider the options belong to, named in every error.</param>
public sealed class BatchedPostgresGrainStorageOptionsValidator(BatchedPostgresGrainStorageOptions options, string name) : IConfigurationValidator
{
    private readonly BatchedPostgresGrainStorageOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly string _name = name;

    /// <inheritdoc />
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            throw new OrleansConfigurationException(
                $"Grain storage '{_name}': {nameof(BatchedPostgresGrainStorageOptions)}.{nameof(BatchedPostgresGrainStorageOptions.ConnectionString)} " +
                "is required (for example 'Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy').");
        }

        if (!IsPlainIdentifier(_options.TableName))
        {
            throw new OrleansConfigurationException(
                $"Grain storage '{_name}': {nameof(BatchedPostgresGrainStorageOptions)}.{nameof(BatchedPostgresGrainStorageOptions.TableName)} " +
                $"'{_options.TableName}' must be a lower-case identifier of letters, digits and '_' starting with a letter (default 'grain_state').");
        }
    }

    // The table name is spliced into SQL text, so only plain identifiers pass.
    private static bool IsPlainIdentifier(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 63 && name[0] is >= 'a' and <= 'z'
        && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_');
}
