using System.Reflection;
using Microsoft.AspNetCore.Hosting;
using Orleans.Hosting.Kubernetes;
using OrleansTenancy.OpenRouter;
using OrleansTenancy.Silo.Dashboard;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Silo.Observability;
using OrleansTenancy.Tenancy.Context;

namespace OrleansTenancy.Deploy.Tests.Manifests;

/// <summary>
/// The environment variables a silo reads: <c>Section__Setting</c> for a settable property of the options class bound
/// from that section, and the few variables read by name. Checked by reflection, so renaming a setting breaks the
/// deployment tests rather than a deployment.
/// </summary>
internal static class SiloSettings
{
    private static readonly Dictionary<string, Type[]> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [ClusterHostOptions.SectionName] = [typeof(ClusterHostOptions)],
        [TenancyHostOptions.SectionName] = [typeof(TenancyHostOptions), typeof(TenancyOptions)],
        [OpenRouterOptions.SectionName] = [typeof(OpenRouterOptions)],
        [TelemetryOptions.SectionName] = [typeof(TelemetryOptions)],
        [DashboardOptions.SectionName] = [typeof(DashboardOptions)],
    };

    private static readonly HashSet<string> Variables = new(StringComparer.Ordinal)
    {
        OpenRouterOptions.ApiKeyEnvironmentVariable,
        OpenRouterOptions.BaseUrlEnvironmentVariable,
        TenancyOptions.TenancyStrictVariable,
        KubernetesHostingOptions.PodNameEnvironmentVariable,
        KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        KubernetesHostingOptions.PodIPEnvironmentVariable,
    };

    /// <summary>Why the silo would ignore <paramref name="variable"/>, or null when it reads it.</summary>
    public static string? Problem(string variable)
    {
        if (Variables.Contains(variable) || string.Equals(variable, WebHostDefaults.ServerUrlsKey, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = variable.Split("__");
        if (parts.Length != 2)
        {
            return $"{variable}: not Section__Setting and not a variable the silo reads";
        }

        if (!Sections.TryGetValue(parts[0], out var types))
        {
            return $"{variable}: no options class binds section '{parts[0]}'";
        }

        return types.Any(t => t.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.SetMethod?.IsPublic == true)
            ? null
            : $"{variable}: {string.Join(" and ", types.Select(t => t.Name))} has no settable '{parts[1]}'";
    }

    /// <summary>The port of an <c>http://host:port</c> listen URL.</summary>
    public static int PortOf(string urls) => new Uri(urls.Split(';')[0].Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
}
