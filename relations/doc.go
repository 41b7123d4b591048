// Package relations holds what atomdb knows about relations between tables,
// independent of any model type: the kinds of relation, how one step of a
// relation path is expressed in SQL, how a filter across a relation becomes
// a subquery that can never return a row twice, how the keys of a batched
// query are split under each dialect's bound-parameter limit, and how joined
// tables are aliased. The orm describes its models' relations with these
// values and builds SelectRelated, PrefetchRelated and filters from them.
package relations
