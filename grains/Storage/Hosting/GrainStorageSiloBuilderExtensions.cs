using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Configuration.Overrides;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansTenancy.Storage;

/// <summary>
/// Registers the grain storage providers by name, as Orleans' own <c>AddMemoryGrainStorage</c> and
/// <c>AddAdoNetGrainStorage</c> do: a grain's <c>[PersistentState(stateName, providerName)]</c> picks one, and the
/// <c>…AsDefault</c> variants register the provider grains get when they name none. Options are named options
/// (<c>IOptionsMonitor&lt;T&gt;.Get(name)</c>), checked by a validator and logged (connection strings redacted) when
/// the silo starts. Every provider serializes state with the <see cref="JsonGrainStateSerializer"/> registered in the
/// container (<see cref="JsonGrainStateSerializer.Default"/> unless the host registers another first).
/// </summary>
public static class GrainStorageSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant name of Npgsql, which Orleans' AdoNet provider loads by name.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>Adds <see cref="SqliteGrainStorage"/> (one SQLite file, writes batched with the usage ledger's) named <paramref name="name"/>.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure) =>
        builder.AddSqliteGrainStorage(name, options => options.Configure(configure));

    /// <summary>Adds <see cref="SqliteGrainStorage"/> named <paramref name="name"/>; <paramref name="configure"/> may bind configuration.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<SqliteGrainStorageOptions>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var services = builder.Services;
        configure?.Invoke(services.AddOptions<SqliteGrainStorageOptions>(name));
        services.ConfigureNamedOptionForLogging<SqliteGrainStorageOptions>(name);
        services.AddSingleton<IConfigurationValidator>(sp => new SqliteGrainStorageOptionsValidator(Options<SqliteGrainStorageOptions>(sp, name), name));
        services.TryAddSingleton(JsonGrainStateSerializer.Default);
        services.AddGrainStorage(name, static (sp, providerName) => new SqliteGrainStorage(
            providerName,
            Options<SqliteGrainStorageOptions>(sp, providerName),
            sp.GetProviderClusterOptions(providerName).Value.ServiceId,
            sp.GetRequiredService<JsonGrainStateSerializer>(),
            sp.GetRequiredService<ILogger<SqliteGrainStorage>>(),
            sp.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>Adds <see cref="SqliteGrainStorage"/> as the provider grains use when they name none.</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds grain storage on PostgreSQL through Orleans' AdoNet provider and <c>deploy/sql</c>, named <paramref name="name"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider name.</param>
    /// <param name="connectionString">The Npgsql connection string; the database must exist.</param>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, string connectionString) =>
        builder.AddPostgresGrainStorage(name, (PostgresGrainStorageOptions options) => options.ConnectionString = connectionString);

    /// <summary>Adds grain storage on PostgreSQL through Orleans' AdoNet provider and <c>deploy/sql</c>, named <paramref name="name"/>.</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresGrainStorageOptions> configure) =>
        builder.AddPostgresGrainStorage(name, options => options.Configure(configure));

    /// <summary>
    /// Adds grain storage on PostgreSQL named <paramref name="name"/>: Orleans' <c>AdoNetGrainStorage</c> (invariant
    /// <c>Npgsql</c>, state serialized by <see cref="JsonGrainStateSerializer"/>) running the statements that
    /// <c>deploy/sql/postgresql</c> stores in <c>orleansquery</c>. Unless
    /// <see cref="PostgresGrainStorageOptions.ApplyScriptsAtStart"/> is off, the silo applies those scripts as it starts,
    /// before the provider reads them.
    /// </summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<PostgresGrainStorageOptions>>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var services = builder.Services;
        configure?.Invoke(services.AddOptions<PostgresGrainStorageOptions>(name));
        services.ConfigureNamedOptionForLogging<PostgresGrainStorageOptions>(name);
        services.AddSingleton<IConfigurationValidator>(sp => new PostgresGrainStorageOptionsValidator(Options<PostgresGrainStorageOptions>(sp, name), name));
        services.TryAddSingleton(JsonGrainStateSerializer.Default);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
        {
            var options = Options<PostgresGrainStorageOptions>(sp, name);
            return options.ApplyScriptsAtStart
                ? new PostgresScriptsAtStart(
                    $"Grain storage '{name}'",
                    options.ConnectionString,
                    $"apply the scripts with deploy/sql/apply.sh and set {nameof(PostgresGrainStorageOptions)}.{nameof(PostgresGrainStorageOptions.ApplyScriptsAtStart)} to false",
                    sp.GetRequiredService<ILogger<PostgresScriptsAtStart>>())
                : NoLifecycleWork.Instance;
        });
        builder.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> adoNet) => adoNet
            .Configure<IOptionsMonitor<PostgresGrainStorageOptions>, JsonGrainStateSerializer>((target, ours, serializer) =>
            {
                target.Invariant = NpgsqlInvariant;
                target.ConnectionString = ours.Get(name).ConnectionString;
                target.GrainStorageSerializer = serializer;
            }));
        ScopeByGrainType(services, name);

        // A storage failure reaches a caller on another silo as the Npgsql exception it is (a transient database
        // failure a caller may retry), not as a failure to serialize an exception type Orleans does not know.
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add(NpgsqlInvariant));
        return builder;
    }

    /// <summary>
    /// Makes the silo apply <c>deploy/sql/postgresql</c> to <paramref name="connectionString"/> as it starts, before
    /// Orleans' AdoNet membership or storage providers read their statements (the scripts are idempotent and serialised
    /// by an advisory lock, so silos starting together and other owners of the same database may apply them too).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="owner">What needs the scripts, named in the log and in errors (e.g. <c>Cluster membership</c>).</param>
    /// <param name="connectionString">The Npgsql connection string; the database must exist.</param>
    public static ISiloBuilder AddPostgresScriptsAtStart(this ISiloBuilder builder, string owner, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new PostgresScriptsAtStart(
            owner, connectionString, "apply the scripts with deploy/sql/apply.sh first", sp.GetRequiredService<ILogger<PostgresScriptsAtStart>>()));
        return builder;
    }

    /// <summary>Adds grain storage on PostgreSQL (AdoNet on <c>deploy/sql</c>) as the provider grains use when they name none.</summary>
    public static ISiloBuilder AddPostgresGrainStorageAsDefault(this ISiloBuilder builder, string connectionString) =>
        builder.AddPostgresGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, connectionString);

    /// <summary>
    /// Adds <see cref="BatchedPostgresGrainStorage"/> named <paramref name="name"/>: state updates of many grains share a
    /// transaction and a round trip. The alternative to <see cref="AddPostgresGrainStorage(ISiloBuilder, string, string)"/>,
    /// registered separately so that the two can be measured against each other.
    /// </summary>
    public static ISiloBuilder AddBatchedPostgresGrainStorage(this ISiloBuilder builder, string name, Action<BatchedPostgresGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<BatchedPostgresGrainStorageOptions>(name).Configure(configure);
        services.ConfigureNamedOptionForLogging<BatchedPostgresGrainStorageOptions>(name);
        services.AddSingleton<IConfigurationValidator>(sp => new BatchedPostgresGrainStorageOptionsValidator(Options<BatchedPostgresGrainStorageOptions>(sp, name), name));
        services.TryAddSingleton(JsonGrainStateSerializer.Default);
        services.AddGrainStorage(name, static (sp, providerName) => new BatchedPostgresGrainStorage(
            providerName,
            Options<BatchedPostgresGrainStorageOptions>(sp, providerName),
            sp.GetProviderClusterOptions(providerName).Value.ServiceId,
            sp.GetRequiredService<JsonGrainStateSerializer>(),
            sp.GetRequiredService<ILogger<BatchedPostgresGrainStorage>>()));
        return builder;
    }

    /// <summary>Adds <see cref="BatchedPostgresGrainStorage"/> as the provider grains use when they name none.</summary>
    public static ISiloBuilder AddBatchedPostgresGrainStorageAsDefault(this ISiloBuilder builder, Action<BatchedPostgresGrainStorageOptions> configure) =>
        builder.AddBatchedPostgresGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Wraps the storage registered under <paramref name="name"/> in <see cref="GrainTypeScopedStorage"/>.</summary>
    private static void ScopeByGrainType(IServiceCollection services, string name)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"AddAdoNetGrainStorage registered no keyed IGrainStorage '{name}'; this version of Orleans registers providers differently.");
        var create = registered.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"The keyed IGrainStorage '{name}' is not registered through a factory; this version of Orleans registers providers differently.");
        services.Remove(registered);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new GrainTypeScopedStorage((IGrainStorage)create(sp, key)));
    }

    private static T Options<T>(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<T>>().Get(name);

    private sealed class NoLifecycleWork : ILifecycleParticipant<ISiloLifecycle>
    {
        public static readonly NoLifecycleWork Instance = new();

        public void Participate(ISiloLifecycle lifecycle)
        {
        }
    }
}
