package store

import (
	"context"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Upsert updates the document matching filter, creating it if missing. Two
// writers upserting a new document at once both try to insert it and one
// gets a duplicate-key error (on MongoDB as on FerretDB); the document exists
// then, so the update is simply tried again.
func Upsert(ctx context.Context, coll *mongo.Collection, filter, update any) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		_, err = coll.UpdateOne(ctx, filter, update, options.Update().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			return err
		}
	}
	return err
}
