using System.Globalization;
using Orleans.Runtime;
using OrleansTenancy.Grains.Resilience;

namespace OrleansTenancy.Silo.Cluster;

/// <summary>
/// The silos of the cluster as operators see them: one home for <c>GET /admin/cluster</c>, the dashboard's silos panel
/// and <c>tenancy cluster</c>.
/// </summary>
public interface IClusterView
{
    /// <summary>Every silo membership knows, with what each active one reports about itself.</summary>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    Task<ClusterReport> GetClusterAsync(CancellationToken cancellationToken);
}

/// <summary>The cluster: its silos and whether they serve the same tenants.</summary>
/// <param name="Silos">Every silo in the membership table, active ones first, then by address.</param>
/// <param name="RegistryHash">The tenant registry hash most active silos report (see <see cref="RegistryAgreement"/>), or <see langword="null"/> when there is none.</param>
/// <param name="RegistriesAgree">Whether every silo that answered reports the same registry.</param>
public sealed record ClusterReport(IReadOnlyList<SiloReport> Silos, string? RegistryHash, bool RegistriesAgree);

/// <summary>One silo.</summary>
/// <param name="Address">Its Orleans address (<c>ip:port@generation</c>).</param>
/// <param name="Name">Its silo name.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="Status">Its membership status: <c>active</c>, <c>joining</c>, <c>created</c>, <c>shutting_down</c>, <c>stopping</c> or <c>dead</c>.</param>
/// <param name="StartedAt">When it started, as membership recorded it.</param>
/// <param name="UptimeSeconds">Seconds since it started, for a silo that is not dead.</param>
/// <param name="Activations">Grain activations it holds, when it answered.</param>
/// <param name="RegistryHash">The content hash of the tenant registry it loaded, when it answered.</param>
/// <param name="Tenants">How many tenants that registry holds, when it answered.</param>
/// <param name="RegistryDiffers">Whether its registry differs from the majority's (<see cref="RegistryAgreement"/>).</param>
/// <param name="Version">The product version it runs, when it answered.</param>
/// <param name="HttpAddresses">Where it serves HTTP, when it answered.</param>
/// <param name="IsThisSilo">Whether it is the silo that answered the request.</param>
/// <param name="Problem">Why an active silo's own report is missing, e.g. it did not answer in time.</param>
public sealed record SiloReport(
    string Address,
    string Name,
    string Host,
    string Status,
    DateTimeOffset StartedAt,
    long? UptimeSeconds,
    int? Activations,
    string? RegistryHash,
    int? Tenants,
    bool RegistryDiffers,
    string? Version,
    IReadOnlyList<string> HttpAddresses,
    bool IsThisSilo,
    string? Problem);

/// <summary>
/// Builds the <see cref="ClusterReport"/> from Orleans membership (<see cref="IManagementGrain.GetDetailedHosts(bool, CancellationToken)"/>:
/// address, status, start time) and, for each active silo, its own answers: its activation count
/// (<see cref="IManagementGrain.GetRuntimeStatistics(SiloAddress[], CancellationToken)"/>) and its <see cref="ISiloDetailsService"/>.
/// </summary>
/// <remarks>
/// The membership list is read under <see cref="GrainCallRetry"/>. The silos are asked in parallel and each has <see cref="SiloAnswerTimeout"/> to answer, so one stuck silo costs a
/// few seconds and is listed with its membership status and the problem, never failing the whole view. Dead silos stay
/// in the membership table until Orleans cleans them up, and are listed with their status.
/// </remarks>
public sealed class ClusterView(IGrainFactory grains, SiloDetailsClient details, ILocalSiloDetails local, GrainCallRetry retry, TimeProvider time) : IClusterView
{
    /// <summary>How long an active silo has to answer for itself: 5 seconds.</summary>
    public static readonly TimeSpan SiloAnswerTimeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<ClusterReport> GetClusterAsync(CancellationToken cancellationToken)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        // A read, safe to repeat: while a killed silo is not yet declared dead, the management grain may be placed on it
        // and the call rejected, exactly when an operator looks at the cluster.
        var members = await retry.RunAsync(
            () => management.GetDetailedHosts(onlyActive: false, cancellationToken), "list the cluster's silos", cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var answers = await Task.WhenAll(members.Select(m => AskAsync(management, m, cancellationToken))).ConfigureAwait(false);
        var majority = RegistryAgreement.Majority(answers.Where(a => a.Details is not null).Select(a => a.Details!.RegistryHash));
        var silos = members.Zip(answers, (member, answer) => Describe(member, answer, majority, now))
            .OrderBy(s => s.Status == "active" ? 0 : 1)
            .ThenBy(s => s.Address, StringComparer.Ordinal)
            .ToArray();
        return new ClusterReport(silos, majority, !silos.Any(s => s.RegistryDiffers));
    }

    private SiloReport Describe(MembershipEntry member, Answer answer, string? majority, DateTimeOffset now)
    {
        var startedAt = new DateTimeOffset(DateTime.SpecifyKind(member.StartTime, DateTimeKind.Utc));
        var status = StatusName(member.Status);
        return new SiloReport(
            member.SiloAddress.ToParsableString(),
            member.SiloName ?? string.Empty,
            member.HostName ?? string.Empty,
            status,
            startedAt,
            member.Status == SiloStatus.Dead ? null : Math.Max(0, (long)(now - startedAt).TotalSeconds),
            answer.Activations,
            answer.Details?.RegistryHash,
            answer.Details?.Tenants,
            RegistryAgreement.Differs(answer.Details?.RegistryHash, majority),
            answer.Details?.Version,
            answer.Details?.HttpAddresses ?? [],
            member.SiloAddress.Equals(local.SiloAddress),
            answer.Problem);
    }

    private async Task<Answer> AskAsync(IManagementGrain management, MembershipEntry member, CancellationToken cancellationToken)
    {
        if (member.Status != SiloStatus.Active)
        {
            return new Answer(null, null, null);
        }

        var silo = member.SiloAddress;
        var statistics = management.GetRuntimeStatistics([silo], cancellationToken);
        var report = details.On(silo).GetDetailsAsync();
        try
        {
            var both = Task.WhenAll(statistics, report).WaitAsync(SiloAnswerTimeout, time, cancellationToken);
            await both.ConfigureAwait(false);
            return new Answer(report.Result, statistics.Result.FirstOrDefault()?.ActivationCount, null);
        }
        catch (TimeoutException)
        {
            return Partial(string.Create(CultureInfo.InvariantCulture, $"did not answer within {SiloAnswerTimeout.TotalSeconds:0} s"));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return Partial($"could not be asked ({error.GetType().Name}: {error.Message})");
        }

        // Whatever part did answer is still worth showing.
        Answer Partial(string problem) => new(
            report.IsCompletedSuccessfully ? report.Result : null,
            statistics.IsCompletedSuccessfully ? statistics.Result.FirstOrDefault()?.ActivationCount : null,
            problem);
    }

    /// <summary>Orleans' status in the API's snake_case: <c>ShuttingDown</c> is <c>shutting_down</c>.</summary>
    private static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.ShuttingDown => "shutting_down",
        _ => status.ToString().ToLowerInvariant(),
    };

    private sealed record Answer(SiloDetails? Details, int? Activations, string? Problem);
}
