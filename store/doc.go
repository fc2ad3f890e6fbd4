package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// ByID reads coll's document id into a T; a missing one is notFound.
// Errors: notFound, the database's.
func ByID[T any](ctx context.Context, coll *mongo.Collection, id string, notFound error) (T, error) {
	var out T
	err := coll.FindOne(ctx, bson.M{"_id": id}).Decode(&out)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		var zero T
		return zero, notFound
	case err != nil:
		var zero T
		return zero, fmt.Errorf("find %s %s: %w", coll.Name(), id, err)
	}
	return out, nil
}

// SaveAt writes doc (at its next version) as coll's document id, read at
// version from: inserted when from is 0 (a concurrent first write clashes
// on the _id and reports ErrStale, so the caller re-reads), else replaced
// conditionally on the version (Versions.Replace).
// Errors: ErrStale, the database's.
func SaveAt(ctx context.Context, v *Versions, coll *mongo.Collection, id string, from int64, doc any) error {
	if from > 0 {
		return v.Replace(ctx, coll, id, from, doc)
	}
	if _, err := coll.InsertOne(ctx, doc); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return ErrStale
		}
		return fmt.Errorf("insert %s %s: %w", coll.Name(), id, err)
	}
	return nil
}
