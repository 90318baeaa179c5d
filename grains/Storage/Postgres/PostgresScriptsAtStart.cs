using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace OrleansTenancy.Storage;

/// <summary>
/// Applies <see cref="PostgresScripts"/> to one database while the silo starts, at
/// <see cref="ServiceLifecycleStage.RuntimeStorageServices"/>: before Orleans' AdoNet providers read their statements
/// from <c>orleansquery</c> (membership at <see cref="ServiceLifecycleStage.RuntimeGrainServices"/>, grain storage at
/// <see cref="ServiceLifecycleStage.ApplicationServices"/>). A failure stops the silo's start.
/// </summary>
/// <param name="owner">What needs the scripts, named in the log and in errors (e.g. <c>Grain storage 'Default'</c>).</param>
/// <param name="connectionString">The database to apply them to.</param>
/// <param name="insteadHint">What an operator may do instead of letting the silo apply them, appended to an error.</param>
/// <param name="logger">The log.</param>
internal sealed partial class PostgresScriptsAtStart(string owner, string connectionString, string insteadHint, ILogger<PostgresScriptsAtStart> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(PostgresScriptsAtStart)}-{owner}", ServiceLifecycleStage.RuntimeStorageServices, ApplyAsync);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        try
        {
            await PostgresScripts.ApplyAsync(connectionString, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            throw new OrleansException(
                $"{owner}: applying deploy/sql/postgresql to {target.Host}:{target.Port}/{target.Database} failed: {ex.Message} " +
                $"Check that the server is reachable and the database exists, or {insteadHint}.", ex);
        }

        LogApplied(logger, owner, PostgresScripts.All.Count, target.Host, target.Port, target.Database);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Owner}: applied {Count} scripts of deploy/sql/postgresql to {Host}:{Port}/{Database}")]
    private static partial void LogApplied(ILogger logger, string owner, int count, string? host, int port, string? database);
}
