using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Grains.Tenants;

/// <summary>The persisted state of a <see cref="TenantGrain"/>.</summary>
public sealed class TenantGrainState
{
    /// <summary>Counters, open reservations and recently finished request ids.</summary>
    public BudgetAccountState Account { get; set; } = new();

    /// <summary>The runtime override of the YAML limits (<c>PUT /admin/tenants/{tenant}/budget</c>), if any.</summary>
    public BudgetLimits? Override { get; set; }

    /// <summary>
    /// Ledger rows persisted with the counters they changed but not yet confirmed in the usage ledger (a transactional
    /// outbox): if the ledger write fails or the silo dies, the rows are re-sent later, and the ledger's unique request
    /// id makes the re-send harmless.
    /// </summary>
    public List<UsageRecord> Outbox { get; set; } = [];

    /// <summary>
    /// Budget alerts fired and their delivery to each webhook (an outbox written with the watermarks that fired them):
    /// see <see cref="Tenancy.Alerts.AlertOutbox"/>. <see langword="null"/> until the tenant's first alert fires, so a
    /// tenant that never fired holds and stores nothing for it.
    /// </summary>
    public Tenancy.Alerts.AlertOutboxState? Alerts { get; set; }
}
