using Npgsql;

namespace OrleansTenancy.TestSupport;

/// <summary>Questions about a database's schema that tests ask of the catalog.</summary>
public static class PostgresSchema
{
    /// <summary>The columns of the unique index (or primary key) of <paramref name="table"/>, comma-separated in key order.</summary>
    public static async Task<string?> UniqueKeyAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = @table::regclass AND i.indisunique
            GROUP BY i.indexrelid
            """, connection);
        command.Parameters.AddWithValue("table", table);
        return (string?)await command.ExecuteScalarAsync();
    }
}
