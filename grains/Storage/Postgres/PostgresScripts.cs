using System.Reflection;
using Npgsql;

namespace OrleansTenancy.Storage;

/// <summary>
/// The schema and statements behind Orleans' AdoNet providers on PostgreSQL, grain storage and cluster membership: the
/// scripts of <c>deploy/sql/postgresql</c>, embedded in this assembly so that a silo applies exactly what an operator
/// would with <c>deploy/sql/apply.sh</c>.
/// </summary>
/// <remarks>
/// The scripts are idempotent and each takes a transaction-scoped advisory lock first, so they may run any number of
/// times and from several silos at once; <see cref="ApplyAsync(string, CancellationToken)"/> runs all of them in one
/// transaction, as <c>apply.sh</c> does.
/// </remarks>
public static class PostgresScripts
{
    private const string ResourcePrefix = "deploy/sql/postgresql/";

    /// <summary>The scripts, in the order they run (by file name): each a file name and its SQL text.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> All { get; } = Load();

    /// <summary>Applies every script to the database of <paramref name="connectionString"/> in one transaction.</summary>
    /// <param name="connectionString">An Npgsql connection string; the database must exist.</param>
    /// <param name="cancellationToken">Cancels the application (the transaction then rolls back).</param>
    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await ApplyAsync(dataSource, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies every script through <paramref name="dataSource"/> in one transaction.</summary>
    /// <param name="dataSource">Where to connect; the database must exist.</param>
    /// <param name="cancellationToken">Cancels the application (the transaction then rolls back).</param>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (name, sql) in All)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException($"deploy/sql/postgresql/{name} failed: {ex.MessageText} ({ex.SqlState}).", ex);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static KeyValuePair<string, string>[] Load()
    {
        var assembly = typeof(PostgresScripts).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => KeyValuePair.Create(n[ResourcePrefix.Length..], Read(assembly, n)))
            .ToArray();
        return scripts.Length > 0
            ? scripts
            : throw new InvalidOperationException($"{assembly.GetName().Name} holds no {ResourcePrefix}*.sql resources; the build did not embed deploy/sql.");
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
