using System.Collections.Concurrent;

namespace OrleansTenancy.Sql;

/// <summary>
/// Lets one writer at a time into each SQLite file of this process, in arrival order.
/// </summary>
/// <remarks>
/// SQLite admits one write transaction per file. A second writer that finds the lock taken gets <c>SQLITE_BUSY</c>,
/// and Microsoft.Data.Sqlite answers that by sleeping on the calling thread and trying again until the command timeout,
/// so under contention a write can wait far longer than the write ahead of it took, on a blocked pool thread.
/// Queuing the writers of one process here instead (grain state and usage ledger share the embedded file) makes each
/// wait exactly as long as the writes ahead of it. Writers in other processes still meet SQLite's own lock.
/// </remarks>
public static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Waits for the write turn of <paramref name="filePath"/>; dispose the result to hand it on.</summary>
    /// <param name="filePath">The database file (any form of its path).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async ValueTask<Turn> EnterAsync(string filePath, CancellationToken cancellationToken)
    {
        var gate = Gates.GetOrAdd(Path.GetFullPath(filePath), static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(gate);
    }

    /// <summary>A write turn; disposing it lets the next writer in.</summary>
    public readonly struct Turn : IDisposable
    {
        private readonly SemaphoreSlim? _gate;

        internal Turn(SemaphoreSlim gate) => _gate = gate;

        /// <summary>Ends the turn.</summary>
        public void Dispose() => _gate?.Release();
    }
}
