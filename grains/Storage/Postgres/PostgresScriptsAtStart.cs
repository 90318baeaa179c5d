using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace OrleansTenancy.Storage;

/// <summary>
/// Applies <see cref="PostgresStorageScripts"/> while the silo starts, at
/// <see cref="ServiceLifecycleStage.RuntimeStorageServices"/>: before the AdoNet provider reads its statements from
/// <c>orleansquery</c> at <see cref="ServiceLifecycleStage.ApplicationServices"/>. A failure stops the silo's start.
/// </summary>
internal sealed partial class PostgresScriptsAtStart(string providerName, PostgresGrainStorageOptions options, ILogger<PostgresScriptsAtStart> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(PostgresScriptsAtStart)}-{providerName}", ServiceLifecycleStage.RuntimeStorageServices, ApplyAsync);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        try
        {
            await PostgresStorageScripts.ApplyAsync(options.ConnectionString, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            throw new OrleansException(
                $"Grain storage '{providerName}': applying deploy/sql/postgresql to {target.Host}:{target.Port}/{target.Database} failed: {ex.Message} " +
                "Check that the server is reachable and the database exists, or apply the scripts with deploy/sql/apply.sh and set " +
                $"{nameof(PostgresGrainStorageOptions)}.{nameof(PostgresGrainStorageOptions.ApplyScriptsAtStart)} to false.", ex);
        }

        LogApplied(logger, providerName, PostgresStorageScripts.All.Count, target.Host, target.Port, target.Database);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain storage '{Provider}': applied {Count} scripts of deploy/sql/postgresql to {Host}:{Port}/{Database}")]
    private static partial void LogApplied(ILogger logger, string provider, int count, string? host, int port, string? database);
}
