using OrleansTenancy.Runtime.Testing;

namespace OrleansTenancy.Runtime.Tests.Infrastructure;

public static class ClusterExtensions
{
    /// <summary>The factory of the silo owning the grain: its calls are local, dispatched synchronously into the mailbox.</summary>
    public static IGrainFactory OwnerFactory<TGrain>(this TestCluster cluster, string key)
        where TGrain : IGrainWithStringKey => cluster.GetOwner<TGrain>(key).GrainFactory;

    /// <summary>A fresh key whose owner is not <paramref name="notOn"/>.</summary>
    public static string KeyOwnedElsewhere<TGrain>(this TestCluster cluster, string prefix, TestSilo notOn)
        where TGrain : IGrainWithStringKey
    {
        for (var i = 0; i < 1000; i++)
        {
            var key = Probe.NewKey(prefix);
            if (cluster.GetOwner<TGrain>(key).Address != notOn.Address)
            {
                return key;
            }
        }

        throw new InvalidOperationException("No key found on another silo in 1000 tries; is only one silo active?");
    }
}
