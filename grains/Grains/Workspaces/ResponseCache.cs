using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Workspaces;

/// <summary>
/// A bounded, time-limited, least-recently-used map of cached responses. Not thread-safe: it lives inside one grain
/// activation, whose turns never run in parallel.
/// </summary>
internal sealed class ResponseCache(TimeProvider time, int capacity)
{
    private readonly Dictionary<string, LinkedListNode<Slot>> _slots = new(StringComparer.Ordinal);

    // Most recently used first; eviction takes from the end.
    private readonly LinkedList<Slot> _recency = new();

    public int Count => _slots.Count;

    public CachedResponse? TryGet(string key)
    {
        if (!_slots.TryGetValue(key, out var node))
        {
            return null;
        }

        if (node.Value.ExpiresAt <= time.GetUtcNow())
        {
            Remove(node);
            return null;
        }

        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value.Response;
    }

    public void Put(string key, CachedResponse response, DateTimeOffset expiresAt)
    {
        if (_slots.TryGetValue(key, out var existing))
        {
            Remove(existing);
        }

        if (_slots.Count >= capacity)
        {
            RemoveExpired();
        }

        while (_slots.Count >= capacity)
        {
            Remove(_recency.Last!);
        }

        _slots[key] = _recency.AddFirst(new Slot(key, response, expiresAt));
    }

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        for (var node = _recency.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.ExpiresAt <= now)
            {
                Remove(node);
            }

            node = next;
        }
    }

    private void Remove(LinkedListNode<Slot> node)
    {
        _recency.Remove(node);
        _slots.Remove(node.Value.Key);
    }

    private sealed record Slot(string Key, CachedResponse Response, DateTimeOffset ExpiresAt);
}
