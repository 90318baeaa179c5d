using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Runtime.Storage;

/// <summary>Registers grain storage providers as keyed <see cref="IGrainStorage"/> services, keyed by provider name.</summary>
public static class GrainStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="SqliteGrainStorage"/> named <paramref name="name"/>. Options are named options
    /// (<c>IOptionsMonitor&lt;SqliteStorageOptions&gt;.Get(name)</c>), so configuration binding also works.
    /// A <see cref="JsonSerializerOptions"/> registered under the same key replaces the default JSON settings.
    /// </summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = services.AddOptions<SqliteStorageOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddKeyedSingleton<IGrainStorage>(name, (provider, _) => new SqliteGrainStorage(
            name,
            provider.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name),
            provider.GetKeyedService<JsonSerializerOptions>(name),
            Instruments(provider),
            provider.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Registers a <see cref="PostgresGrainStorage"/> named <paramref name="name"/> with named
    /// <see cref="PostgresStorageOptions"/>; <see cref="PostgresStorageOptions.ConnectionString"/> is required.
    /// </summary>
    public static IServiceCollection AddPostgresGrainStorage(this IServiceCollection services, string name, Action<PostgresStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = services.AddOptions<PostgresStorageOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddKeyedSingleton<IGrainStorage>(name, (provider, _) => new PostgresGrainStorage(
            name,
            provider.GetRequiredService<IOptionsMonitor<PostgresStorageOptions>>().Get(name),
            provider.GetKeyedService<JsonSerializerOptions>(name),
            Instruments(provider)));
        return services;
    }

    /// <summary>Registers a <see cref="MemoryGrainStorage"/> named <paramref name="name"/> (tests and single-process runs; nothing survives the process).</summary>
    public static IServiceCollection AddMemoryGrainStorage(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        services.AddKeyedSingleton<IGrainStorage>(name, (provider, _) => new MemoryGrainStorage(
            name,
            provider.GetKeyedService<JsonSerializerOptions>(name),
            Instruments(provider)));
        return services;
    }

    private static GrainStorageInstruments Instruments(IServiceProvider provider) =>
        new(provider.GetService<IMeterFactory>());
}
