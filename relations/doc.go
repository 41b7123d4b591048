// Package relations is atomdb's relation layer, independent of any model
// type. It holds:
//
//   - Relation metadata as data: a Model (table, fields, relations by every
//     name paths use) and its Relations (Kind, keys, join table,
//     nullability), which the orm builds from struct tags once per type.
//   - The one resolver of `a__b__c` paths (Resolve), used by filters,
//     orderings, values, SelectRelated and PrefetchRelated: after a relation,
//     a name is a field of the related model when it has one, and a lookup or
//     transform only otherwise.
//   - The one join planner (Joins): one alias per path (Aliases, within each
//     dialect's identifier limit), INNER or LEFT JOIN by nullability, two
//     relations to one table on tables of their own.
//   - Membership subqueries (Member, Membership, NoRelated): a filter across
//     a relation that never returns a row twice.
//   - Prefetch plans (PrefetchQueries, KeyConditions): the keys of a batched
//     query in one array on PostgreSQL, cut under the parameter limit
//     elsewhere.
//   - List-sync plans (LinkedKeys, Link, Unlink, Release): the statements
//     that make the rows behind a relation list match it.
package relations
