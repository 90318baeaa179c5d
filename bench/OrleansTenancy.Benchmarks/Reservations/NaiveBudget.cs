using Npgsql;

namespace OrleansTenancy.Benchmarks.Reservations;

/// <summary>
/// The design a user would write without grains: one conditional UPDATE per request, straight on PostgreSQL,
/// autocommit, one round trip. A request is granted when the UPDATE matched its row.
/// </summary>
public sealed class NaiveBudget(NpgsqlDataSource dataSource)
{
    public async Task CreateAsync(IReadOnlyList<string> tenants, decimal cap)
    {
        await using (var create = dataSource.CreateCommand("CREATE TABLE budget (tenant text PRIMARY KEY, spent numeric NOT NULL, cap numeric NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var insert = dataSource.CreateCommand("INSERT INTO budget (tenant, spent, cap) SELECT unnest(@tenants), 0, @cap");
        insert.Parameters.AddWithValue("tenants", tenants.ToArray());
        insert.Parameters.AddWithValue("cap", cap);
        await insert.ExecuteNonQueryAsync();
    }

    public async Task<bool> TryChargeAsync(string tenant, decimal amount)
    {
        await using var update = dataSource.CreateCommand("UPDATE budget SET spent = spent + @x WHERE tenant = @t AND spent + @x <= cap");
        update.Parameters.AddWithValue("x", amount);
        update.Parameters.AddWithValue("t", tenant);
        return await update.ExecuteNonQueryAsync() == 1;
    }
}
