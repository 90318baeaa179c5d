using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary>The files of <c>deploy/grafana</c>.</summary>
internal static class GrafanaFiles
{
    public static string Folder => Path.Combine(RepositoryRoot.Find(), "deploy", "grafana");

    public static string Dashboard => Path.Combine(Folder, "orleans-tenancy-dashboard.json");

    public static string Rules => Path.Combine(Folder, "tenancy-alerts.yml");

    public static string RuleTests => Path.Combine(Folder, "tenancy-alerts.test.yml");
}
