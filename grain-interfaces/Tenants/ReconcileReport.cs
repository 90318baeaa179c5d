namespace OrleansTenancy.GrainInterfaces;

/// <summary>What a reconcile found: each counter's spent amounts before and after recomputing them from the ledger.</summary>
/// <param name="Counters">One line per counter (tenant-wide and per workspace; day and month).</param>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ReconcileReport")]
public sealed record ReconcileReport(IReadOnlyList<ReconciledCounter> Counters)
{
    /// <summary>Whether any counter differed from the ledger.</summary>
    public bool Changed => Counters.Any(c => c.Changed);
}

/// <summary>One reconciled counter.</summary>
/// <param name="Workspace">The workspace, or <see langword="null"/> for the tenant-wide counter.</param>
/// <param name="Period">"day" or "month".</param>
/// <param name="PeriodKey">The period (yyyyMMdd or yyyyMM in the tenant's time zone).</param>
/// <param name="CostBefore">Spent USD held by the grain before.</param>
/// <param name="CostAfter">Spent USD according to the ledger.</param>
/// <param name="TokensBefore">Spent tokens before.</param>
/// <param name="TokensAfter">Spent tokens according to the ledger.</param>
/// <param name="ExecutionsBefore">Executions before.</param>
/// <param name="ExecutionsAfter">Executions according to the ledger.</param>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ReconciledCounter")]
public sealed record ReconciledCounter(
    string? Workspace,
    string Period,
    int PeriodKey,
    decimal CostBefore,
    decimal CostAfter,
    long TokensBefore,
    long TokensAfter,
    long ExecutionsBefore,
    long ExecutionsAfter)
{
    /// <summary>Whether the grain's figures differed from the ledger.</summary>
    public bool Changed => CostBefore != CostAfter || TokensBefore != TokensAfter || ExecutionsBefore != ExecutionsAfter;
}
