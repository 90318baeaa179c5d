using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansTenancy.Benchmarks.Reservations;

/// <summary>Counts the rows of the usage ledger table a run wrote to.</summary>
public static class LedgerRows
{
    public static async Task<long> CountAsync(string store, NpgsqlDataSource postgres, string sqliteFile)
    {
        if (store.StartsWith("postgres", StringComparison.Ordinal))
        {
            await using var command = postgres.CreateCommand("SELECT count(*) FROM usage_ledger");
            return (long)(await command.ExecuteScalarAsync())!;
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqliteFile, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM usage_ledger";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
