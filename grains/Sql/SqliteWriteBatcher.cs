using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace OrleansTenancy.Sql;

/// <summary>
/// Commits the writes of one SQLite file, from every component of this process, in shared transactions.
/// </summary>
/// <remarks>
/// <para>
/// SQLite has one writer per file, and with <c>synchronous=FULL</c> every commit waits for the disk. Writes that
/// arrive while a transaction is being committed wait in this queue and are committed together in the next one (up to
/// <see cref="MaxWritesPerTransaction"/>), so one disk flush serves the state writes of many grains and the usage
/// ledger's inserts. This is group commit across writers, as the tenant grain does within one grain.
/// </para>
/// <para>
/// Each write runs inside a savepoint of its own: a write that throws (an ETag conflict, say) is undone alone and its
/// caller gets its exception, while the others commit. A write's task completes only after the transaction holding it
/// has committed; if the commit fails, every write of that transaction fails with the commit's error.
/// </para>
/// </remarks>
public sealed class SqliteWriteBatcher
{
    /// <summary>The most writes committed in one transaction; the rest wait for the next.</summary>
    public const int MaxWritesPerTransaction = 256;

    private static readonly ConcurrentDictionary<string, SqliteWriteBatcher> Batchers = new(StringComparer.Ordinal);

    private readonly string _filePath;
    private readonly BatchDrainer<Write> _queue;
    private long _transactions;
    private long _writes;

    private SqliteWriteBatcher(string filePath)
    {
        _filePath = filePath;

        // One transaction at a time: SQLite has one writer per file.
        _queue = new BatchDrainer<Write>(CommitAsync, static (write, error) => write.Fail(error), MaxWritesPerTransaction, maxInFlight: 1);
    }

    /// <summary>Transactions committed by this queue since the process started.</summary>
    public long TransactionsCommitted => Interlocked.Read(ref _transactions);

    /// <summary>Writes committed by this queue since the process started.</summary>
    public long WritesCommitted => Interlocked.Read(ref _writes);

    /// <summary>The queue of <paramref name="filePath"/> (any spelling of the path gives the same queue).</summary>
    public static SqliteWriteBatcher For(string filePath) =>
        Batchers.GetOrAdd(Path.GetFullPath(filePath), static path => new SqliteWriteBatcher(path));

    /// <summary>
    /// Queues <paramref name="write"/>; it runs on a connection inside a transaction shared with other writes, and its
    /// task completes once that transaction has committed.
    /// </summary>
    /// <param name="connectionString">How to open the file (the first write of a transaction decides).</param>
    /// <param name="write">The statements; they must not begin or end transactions of their own.</param>
    /// <param name="cancellationToken">Cancels before the write is queued; a queued write runs.</param>
    public Task<T> RunAsync<T>(string connectionString, Func<SqliteConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        var entry = new Write<T>(connectionString, write);
        _queue.Add(entry);
        return entry.Task;
    }

    private async Task CommitAsync(List<Write> batch)
    {
        var failures = new Exception?[batch.Count];

        // A write alone in its transaction needs no savepoint: rolling the transaction back undoes it alone. That is the
        // usual case below saturation, and it saves two statements per commit.
        var isolate = batch.Count > 1;
        bool committed;
        try
        {
            using var turn = await SqliteWriteGate.EnterAsync(_filePath, CancellationToken.None).ConfigureAwait(false);
            await using var connection = await SqliteFiles.OpenAsync(batch[0].ConnectionString, CancellationToken.None).ConfigureAwait(false);
            await ExecuteAsync(connection, "BEGIN IMMEDIATE").ConfigureAwait(false);
            try
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (isolate)
                    {
                        await ExecuteAsync(connection, "SAVEPOINT queued_write").ConfigureAwait(false);
                    }

                    try
                    {
                        await batch[i].RunAsync(connection).ConfigureAwait(false);
                    }
                    catch (Exception error)
                    {
                        failures[i] = error;
                        if (isolate)
                        {
                            await ExecuteAsync(connection, "ROLLBACK TO queued_write").ConfigureAwait(false);
                        }
                    }

                    if (isolate)
                    {
                        await ExecuteAsync(connection, "RELEASE queued_write").ConfigureAwait(false);
                    }
                }

                committed = isolate || failures[0] is null;
                if (committed)
                {
                    await ExecuteAsync(connection, "COMMIT").ConfigureAwait(false);
                }
                else
                {
                    await RollBackQuietlyAsync(connection).ConfigureAwait(false);
                }
            }
            catch
            {
                await RollBackQuietlyAsync(connection).ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception error)
        {
            foreach (var write in batch)
            {
                write.Fail(error);
            }

            return;
        }

        if (committed)
        {
            Interlocked.Increment(ref _transactions);
        }

        Interlocked.Add(ref _writes, failures.Count(f => f is null));
        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Fail(failure);
            }
            else
            {
                batch[i].Complete();
            }
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task RollBackQuietlyAsync(SqliteConnection connection)
    {
        try
        {
            await ExecuteAsync(connection, "ROLLBACK").ConfigureAwait(false);
        }
        catch (SqliteException)
        {
            // SQLite already rolled the transaction back (it does so itself after some errors); nothing is left open.
        }
    }

    private abstract class Write(string connectionString)
    {
        public string ConnectionString { get; } = connectionString;

        public abstract Task RunAsync(SqliteConnection connection);

        public abstract void Complete();

        public abstract void Fail(Exception error);
    }

    private sealed class Write<T>(string connectionString, Func<SqliteConnection, Task<T>> write) : Write(connectionString)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override async Task RunAsync(SqliteConnection connection) => _result = await write(connection).ConfigureAwait(false);

        public override void Complete() => _completion.TrySetResult(_result);

        public override void Fail(Exception error) => _completion.TrySetException(error);
    }
}
