namespace OrleansTenancy.Ledger;

/// <summary>Settings of <see cref="SqliteUsageLedger"/>.</summary>
public sealed class SqliteLedgerOptions
{
    /// <summary>
    /// The database file; relative paths resolve against the working directory and the folder is created when
    /// missing. Defaults to <c>data/tenancy.db</c> (the ledger's table lives beside grain state).
    /// </summary>
    public string DataSource { get; set; } = "data/tenancy.db";

    /// <summary>How long a write waits for another writer's lock on the file. Defaults to 30 seconds; at least one second.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is unusable, naming it.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataSource) || DataSource.Contains(';', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Usage ledger: SqliteLedgerOptions.DataSource '{DataSource}' must be a file path without ';' (e.g. 'data/tenancy.db').");
        }

        if (BusyTimeout < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException($"Usage ledger: SqliteLedgerOptions.BusyTimeout {BusyTimeout} must be at least 00:00:01.");
        }
    }
}

/// <summary>Settings of <see cref="PostgresUsageLedger"/>.</summary>
public sealed class PostgresLedgerOptions
{
    /// <summary>The Npgsql connection string (required), e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Throws when a setting is unusable, naming it.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException(
                "Usage ledger: PostgresLedgerOptions.ConnectionString is required (e.g. 'Host=127.0.0.1;Port=55432;Username=postgres;Database=tenancy').");
        }
    }
}
