using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Catalog;

/// <summary>
/// The local activations of one stateless-worker grain key. A call goes to an idle worker if there is
/// one, else to a new worker while fewer than the cap exist, else to the least loaded worker. The cap is
/// enforced under the group lock, so concurrent calls never create more than the cap.
/// </summary>
internal sealed class StatelessWorkerGroup(GrainCatalog catalog, GrainIdentity grainId, GrainClassDescriptor grainClass, int maxWorkers)
{
    private readonly List<ActivationData> _workers = [];

    public int Count
    {
        get
        {
            lock (_workers)
            {
                return _workers.Count;
            }
        }
    }

    public ActivationData[] Snapshot()
    {
        lock (_workers)
        {
            return [.. _workers];
        }
    }

    public void Dispatch(GrainRequest request)
    {
        while (true)
        {
            ActivationData target;
            var created = false;
            lock (_workers)
            {
                ActivationData? best = null;
                var bestLoad = int.MaxValue;
                foreach (var worker in _workers)
                {
                    var load = worker.Load;
                    if (load < bestLoad)
                    {
                        best = worker;
                        bestLoad = load;
                    }
                }

                if (best is null || (bestLoad > 0 && _workers.Count < maxWorkers))
                {
                    best = new ActivationData(catalog, grainId, grainClass);
                    _workers.Add(best);
                    created = true;
                }

                target = best;
            }

            if (target.Enqueue(request))
            {
                if (created)
                {
                    target.StartActivation();
                }

                return;
            }

            Remove(target);
        }
    }

    public void Remove(ActivationData worker)
    {
        lock (_workers)
        {
            _workers.Remove(worker);
        }
    }
}
